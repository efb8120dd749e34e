#!/bin/sh
# Launcher that splunkd runs for the asana_audit_log modular input (and people run as the CLI).
# It finds Node.js 20 or newer, in this order: $ASANA_AUDIT_LOG_NODE, $SPLUNK_HOME/bin/node,
# node on PATH, and runs the bundled program next to this file with the same arguments.
MIN_MAJOR=20
# A 2 MB young generation instead of V8's 16 MB default keeps a million-event backfill under
# 150 MB of memory for about 3 % more CPU (README, Performance). Read by the benchmark too.
# --no-warnings: Node's own "(node:PID) Warning: ..." lines carry no level word; the program turns
# each warning into one WARN line instead (src/runner/processWarnings.ts).
NODE_FLAGS="--max-semi-space-size=2 --no-warnings"

case "$0" in
  */*) here=${0%/*} ;;
  *) here=. ;;
esac
here=$(cd "$here" && pwd -P) || exit 1
program="$here/ta_asana_audit_log.cjs"

if [ ! -f "$program" ]; then
  echo "ERROR the program $program is missing: reinstall the add-on (from source: npm run build)" >&2
  exit 1
fi

found=""
try_node() {
  candidate=$1
  [ -n "$candidate" ] || return 1
  [ -x "$candidate" ] || command -v "$candidate" >/dev/null 2>&1 || return 1
  # --version answers without starting the JavaScript runtime: a few ms instead of ~80.
  version=$("$candidate" --version 2>/dev/null) || { found="$found $candidate (does not run)"; return 1; }
  version=${version#v}
  major=${version%%.*}
  case "$major" in
    ''|*[!0-9]*) found="$found $candidate (unreadable version)"; return 1 ;;
  esac
  if [ "$major" -ge "$MIN_MAJOR" ]; then
    node_bin=$candidate
    return 0
  fi
  found="$found $candidate (v$version)"
  return 1
}

node_bin=""
try_node "$ASANA_AUDIT_LOG_NODE" ||
  { [ -n "$SPLUNK_HOME" ] && try_node "$SPLUNK_HOME/bin/node"; } ||
  try_node "$(command -v node 2>/dev/null)" ||
  {
    [ -n "$found" ] || found=" none"
    echo "ERROR asana_audit_log needs Node.js $MIN_MAJOR or newer; found:$found. Install Node.js $MIN_MAJOR+ on this host, or point ASANA_AUDIT_LOG_NODE at a node binary of version $MIN_MAJOR or newer" >&2
    exit 1
  }

exec "$node_bin" $NODE_FLAGS "$program" "$@"
