@echo off
rem Launcher that splunkd runs for the asana_audit_log modular input on Windows.
rem Finds Node.js 20 or newer: %%ASANA_AUDIT_LOG_NODE%%, %%SPLUNK_HOME%%\bin\node.exe, node on PATH.
setlocal EnableExtensions EnableDelayedExpansion
set "PROGRAM=%~dp0ta_asana_audit_log.cjs"
if not exist "%PROGRAM%" (
  echo ERROR the program %PROGRAM% is missing: reinstall the add-on 1>&2
  exit /b 1
)
set "FOUND="
for %%C in ("%ASANA_AUDIT_LOG_NODE%" "%SPLUNK_HOME%\bin\node.exe" "node") do (
  set "CAND=%%~C"
  if not "!CAND!"=="" if not "!CAND!"=="\bin\node.exe" (
    set "MAJOR="
    for /f "tokens=1 delims=.v" %%V in ('"!CAND!" --version 2^>nul') do set "MAJOR=%%V"
    if defined MAJOR (
      if !MAJOR! GEQ 20 (
        "!CAND!" --max-semi-space-size=2 "%PROGRAM%" %*
        exit /b !ERRORLEVEL!
      )
      set "FOUND=!FOUND! !CAND! (v!MAJOR!)"
    )
  )
)
if "%FOUND%"=="" set "FOUND= none"
echo ERROR asana_audit_log needs Node.js 20 or newer; found:%FOUND%. Install Node.js 20+ on this host, or set ASANA_AUDIT_LOG_NODE to a node.exe of version 20 or newer 1>&2
exit /b 1
