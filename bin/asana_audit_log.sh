#!/bin/sh
# Launcher that splunkd runs for the asana_audit_log modular input (and people run as the CLI).
# It runs the bundled program next to it with the first usable Node.js of, in order:
#   1. $ASANA_AUDIT_LOG_NODE (an explicit choice: if it is unusable, that is an error, not a skip);
#   2. the app's own runtime, bin/runtime/node (in the platform packages);
#   3. $SPLUNK_HOME/bin/node, when new enough (Splunk removed it in 10.2);
#   4. node on PATH, when new enough.
# Outside nodes must be 20.19.0 or newer. Every error is one line, starting with ERROR, because
# splunkd logs each stderr line on its own. stdout belongs to the program (the XML stream).
# Plain POSIX sh: no GNU-only options, so it runs under dash, busybox and macOS too.
MIN_MAJOR=20
MIN_MINOR=19
MIN_VERSION=$MIN_MAJOR.$MIN_MINOR.0
# A 2 MB young generation instead of V8's 16 MB default keeps a million-event backfill under
# 150 MB of memory for about 3 % more CPU (README, Performance). Read by the benchmark too.
# --no-warnings: Node's own "(node:PID) Warning: ..." lines carry no level word; the program turns
# each warning into one WARN line instead (src/runner/processWarnings.ts).
NODE_FLAGS="--max-semi-space-size=2 --no-warnings"

# `npm install -g` puts a symlink to this file on PATH: follow links to where the app really is.
# readlink without -f exists on GNU, busybox, BSD and macOS; `ls -l` is the fallback.
self=$0
while [ -L "$self" ]; do
  link=$(readlink "$self" 2>/dev/null) || link=$(ls -l "$self" | sed 's/.* -> //')
  case "$link" in
    /*) self=$link ;;
    *) case "$self" in */*) self=${self%/*}/$link ;; *) self=$link ;; esac ;;
  esac
done
case "$self" in
  */*) here=${self%/*} ;;
  *) here=. ;;
esac
here=$(cd "$here" 2>/dev/null && pwd -P) || {
  echo "ERROR cannot enter the launcher's folder $here: check that the user running it may read and enter the app folder" >&2
  exit 1
}
program="$here/ta_asana_audit_log.cjs"

if [ ! -f "$program" ]; then
  echo "ERROR the program $program is missing: reinstall the add-on (from source: npm run build)" >&2
  exit 1
fi

# Sets `problem` to why the node at $1 cannot run the program, or to nothing when it can.
check_node() {
  problem=""
  if [ ! -f "$1" ] || [ ! -x "$1" ]; then
    problem="is not an executable file"
    return 1
  fi
  # --version answers without starting the JavaScript runtime: a few ms instead of ~50.
  version=$("$1" --version 2>/dev/null) || { problem="does not run on this host"; return 1; }
  version=${version#v}
  major=${version%%.*}
  rest=${version#*.}
  minor=${rest%%.*}
  case "$version" in
    *.*) ;;
    *) minor="" ;;
  esac
  case "$major.$minor" in
    .* | *. | *[!0-9.]*) problem="gave an unreadable version ($version)"; return 1 ;;
  esac
  if [ "$major" -gt "$MIN_MAJOR" ] || { [ "$major" -eq "$MIN_MAJOR" ] && [ "$minor" -ge "$MIN_MINOR" ]; }; then
    return 0
  fi
  problem="is v$version, older than $MIN_VERSION"
  return 1
}

node_bin=""
if [ -n "${ASANA_AUDIT_LOG_NODE:-}" ]; then
  if ! check_node "$ASANA_AUDIT_LOG_NODE"; then
    echo "ERROR ASANA_AUDIT_LOG_NODE=$ASANA_AUDIT_LOG_NODE $problem: point ASANA_AUDIT_LOG_NODE at Node.js $MIN_VERSION or newer, or unset it to use the app's own runtime or the node on PATH" >&2
    exit 1
  fi
  node_bin=$ASANA_AUDIT_LOG_NODE
else
  found=""
  for candidate in "$here/runtime/node" "${SPLUNK_HOME:+$SPLUNK_HOME/bin/node}" "$(command -v node 2>/dev/null)"; do
    [ -n "$candidate" ] || continue
    # The runtime-less package has no bin/runtime, nor a host without Splunk's node: not worth a mention.
    [ -e "$candidate" ] || continue
    if check_node "$candidate"; then
      node_bin=$candidate
      break
    fi
    found="$found${found:+;} $candidate ($problem)"
  done
  if [ -z "$node_bin" ]; then
    echo "ERROR asana_audit_log found no Node.js $MIN_VERSION or newer; found:${found:- no node at all (no bin/runtime/node, no \$SPLUNK_HOME/bin/node, none on PATH)}. Install this app's package for this platform (it carries its own Node.js), or Node.js $MIN_VERSION+ on this host, or point ASANA_AUDIT_LOG_NODE at one" >&2
    exit 1
  fi
fi

# Node 22.1+ keeps the program's compiled code between runs here, so each start skips most of
# the compiling (README, Performance); older nodes ignore the variable. The cache lives outside
# the app folder (an upgrade replaces that) and is only named when it can be written: an
# unwritable one is simply not used.
if [ -z "${NODE_COMPILE_CACHE:-}" ]; then
  if [ -n "${SPLUNK_HOME:-}" ]; then
    cache="$SPLUNK_HOME/var/lib/splunk/modinputs/asana_audit_log/node-compile-cache"
  elif [ -n "${HOME:-}" ]; then
    cache="${XDG_CACHE_HOME:-$HOME/.cache}/ta-asana-audit-log/node-compile-cache"
  else
    cache=""
  fi
  if [ -n "$cache" ] && { [ -d "$cache" ] || mkdir -p "$cache" 2>/dev/null; } && [ -w "$cache" ]; then
    NODE_COMPILE_CACHE=$cache
    export NODE_COMPILE_CACHE
  fi
fi

exec "$node_bin" $NODE_FLAGS "$program" "$@"
