#!/usr/bin/env bash
# Runs Splunk AppInspect (cloud tags, precert mode) on a package `npm run package` wrote.
# Exits non-zero when AppInspect reports any failure or error, or cannot run at all.
# Usage: .ci/appinspect.sh [path/to/package.tgz]   (default: dist/TA-asana-audit-log-<version>.tgz)
# The report goes to dist/appinspect-<package name>.json, its output to the same name .log.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=.venv

if [ "$#" -ge 1 ]; then
  PACKAGE=$1
else
  VERSION=$(node -p "require('./package.json').version")
  PACKAGE=dist/TA-asana-audit-log-${VERSION}.tgz
fi
if [ ! -f "$PACKAGE" ]; then
  echo "appinspect: $PACKAGE not found; run \`npm run package\` first" >&2
  exit 2
fi

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade splunk-appinspect

# AppInspect identifies file types through python-magic, which needs the libmagic1 shared library.
if ! "$VENV/bin/python" -c 'import magic' >/dev/null 2>&1; then
  echo "appinspect: libmagic missing; installing libmagic1" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libmagic1 >/dev/null
  "$VENV/bin/python" -c 'import magic'
fi

mkdir -p dist
name=$(basename "$PACKAGE" .tgz)
REPORT=dist/appinspect-$name.json
LOG=dist/appinspect-$name.log
rm -f "$REPORT"
"$VENV/bin/splunk-appinspect" inspect "$PACKAGE" \
  --mode precert --included-tags cloud --output-file "$REPORT" >"$LOG" 2>&1 || true
if [ ! -s "$REPORT" ]; then
  echo "appinspect: no report was written; its output follows" >&2
  cat "$LOG" >&2
  exit 2
fi
echo "appinspect: $PACKAGE"

"$VENV/bin/python" - "$REPORT" <<'PY'
import json, sys

with open(sys.argv[1]) as f:
    report = json.load(f)

counts = {}
listed = {"failure": [], "error": [], "future_failure": [], "warning": [], "manual_check": []}
for app in report.get("reports", []):
    for group in app.get("groups", []):
        for check in group.get("checks", []):
            result = check.get("result", "unknown")
            counts[result] = counts.get(result, 0) + 1
            if result in listed:
                messages = [m.get("message", "") for m in check.get("messages", [])]
                listed[result].append((check.get("name", "?"), messages))

print("AppInspect: " + ", ".join(f"{k}={counts[k]}" for k in sorted(counts)))
for result in ("error", "failure", "future_failure", "manual_check", "warning"):
    for name, messages in listed[result]:
        print(f"  {result.upper()} {name}")
        for message in messages[:5]:
            print("      " + " ".join(message.split())[:300])
sys.exit(1 if counts.get("failure", 0) or counts.get("error", 0) else 0)
PY
