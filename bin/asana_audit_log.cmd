@echo off
rem Launcher that splunkd runs for the asana_audit_log modular input on Windows.
rem Runs the bundled program next to it with the first usable Node.js of, in order:
rem   1. %%ASANA_AUDIT_LOG_NODE%% (an explicit choice: if it is unusable, that is an error, not a skip);
rem   2. the app's own runtime, bin\runtime\node.exe (in the windows-x64 package);
rem   3. %%SPLUNK_HOME%%\bin\node.exe, when new enough;
rem   4. node on PATH, when new enough.
rem Outside nodes must be 20.19.0 or newer. Every error is one line starting with ERROR, because
rem splunkd logs each stderr line on its own. stdout belongs to the program (the XML stream).
setlocal EnableExtensions EnableDelayedExpansion
set "MIN_MAJOR=20"
set "MIN_MINOR=19"
set "MIN_VERSION=20.19.0"
set "PROGRAM=%~dp0ta_asana_audit_log.cjs"
if not exist "%PROGRAM%" (
  echo ERROR the program %PROGRAM% is missing: reinstall the add-on 1>&2
  exit /b 1
)

set "NODE_BIN="
if defined ASANA_AUDIT_LOG_NODE (
  call :check "%ASANA_AUDIT_LOG_NODE%"
  if not defined OK (
    echo ERROR ASANA_AUDIT_LOG_NODE=!ASANA_AUDIT_LOG_NODE! !PROBLEM!: point ASANA_AUDIT_LOG_NODE at Node.js %MIN_VERSION% or newer, or unset it to use the app's own runtime or the node on PATH 1>&2
    exit /b 1
  )
  set "NODE_BIN=%ASANA_AUDIT_LOG_NODE%"
  goto compile_cache
)
set "FOUND="
if exist "%~dp0runtime\node.exe" call :consider "%~dp0runtime\node.exe"
if not defined NODE_BIN if defined SPLUNK_HOME if exist "%SPLUNK_HOME%\bin\node.exe" call :consider "%SPLUNK_HOME%\bin\node.exe"
if not defined NODE_BIN for /f "delims=" %%P in ('where node 2^>nul') do if not defined NODE_BIN call :consider "%%P"
if not defined NODE_BIN (
  if not defined FOUND set "FOUND= no node at all (no bin\runtime\node.exe, no %%SPLUNK_HOME%%\bin\node.exe, none on PATH)"
  echo ERROR asana_audit_log found no Node.js %MIN_VERSION% or newer; found:!FOUND!. Install this app's windows-x64 package ^(it carries its own Node.js^), or Node.js %MIN_VERSION%+ on this host, or set ASANA_AUDIT_LOG_NODE to one 1>&2
  exit /b 1
)

:compile_cache
rem Node 22.1+ keeps the program's compiled code between runs here (README, Performance); older
rem nodes ignore it. Outside the app folder, which an upgrade replaces; unused when not creatable.
if not defined NODE_COMPILE_CACHE (
  set "CACHE="
  if defined LOCALAPPDATA set "CACHE=%LOCALAPPDATA%\ta-asana-audit-log\node-compile-cache"
  if defined SPLUNK_HOME set "CACHE=%SPLUNK_HOME%\var\lib\splunk\modinputs\asana_audit_log\node-compile-cache"
  if defined CACHE (
    if not exist "!CACHE!\" mkdir "!CACHE!" 2>nul
    if exist "!CACHE!\" set "NODE_COMPILE_CACHE=!CACHE!"
  )
)
"%NODE_BIN%" --max-semi-space-size=2 --no-warnings "%PROGRAM%" %*
exit /b %ERRORLEVEL%

rem Takes the node at %1 when it is new enough; otherwise adds it, and why not, to FOUND.
:consider
call :check "%~1"
if defined OK (set "NODE_BIN=%~1") else set "FOUND=!FOUND! %~1 (!PROBLEM!);"
exit /b 0

rem Sets OK when the node at %1 is %MIN_VERSION% or newer; otherwise sets PROBLEM to why not.
:check
set "OK="
set "PROBLEM="
set "VERSION="
set "MAJOR="
set "MINOR="
if not exist "%~1" (
  set "PROBLEM=is not a file"
  exit /b 0
)
for /f "delims=" %%V in ('call "%~1" --version 2^>nul') do if not defined VERSION set "VERSION=%%V"
if not defined VERSION (
  set "PROBLEM=does not run on this host"
  exit /b 0
)
for /f "tokens=1,2 delims=v." %%A in ("!VERSION!") do (
  set "MAJOR=%%A"
  set "MINOR=%%B"
)
echo(!MAJOR!.!MINOR!| findstr /r /x "[0-9][0-9]*\.[0-9][0-9]*" >nul || (
  set "PROBLEM=gave an unreadable version (!VERSION!)"
  exit /b 0
)
if !MAJOR! GTR %MIN_MAJOR% set "OK=1"
if !MAJOR! EQU %MIN_MAJOR% if !MINOR! GEQ %MIN_MINOR% set "OK=1"
if not defined OK set "PROBLEM=is !VERSION!, older than %MIN_VERSION%"
exit /b 0
