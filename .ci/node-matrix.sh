#!/usr/bin/env bash
# Runs the end-to-end suite once per supported Node.js major, with the bundled program run by
# that Node: the launcher takes ASANA_AUDIT_LOG_NODE first. This is the runtime-less app (the
# repository's bin/ has no runtime/): what hosts that bring their own Node run. Mocha itself stays
# on the CI's node.
# The node binaries come from the npm registry's `node` package through npx (cached after the
# first run). Needs a build (npm test or npm run build) first.
# Usage: .ci/node-matrix.sh [major ...]   (default: 20 22 24)
set -euo pipefail
cd "$(dirname "$0")/.."

MAJORS=("$@")
[ "${#MAJORS[@]}" -gt 0 ] || MAJORS=(20 22 24)

specs=(build/test/e2e/*.test.js)
if [ ! -f "${specs[0]}" ] || [ ! -f bin/ta_asana_audit_log.cjs ]; then
  echo "node-matrix: no build; run \`npm run build\` first" >&2
  exit 2
fi

failed=()
for major in "${MAJORS[@]}"; do
  # Running `node` inside npx prints the path of the binary the package installed.
  node_bin=$(npx --yes --package "node@$major" -- node -p process.execPath)
  version=$("$node_bin" --version)
  if [ "${version%%.*}" != "v$major" ]; then
    echo "node-matrix: asked for Node $major, got $version from $node_bin" >&2
    exit 2
  fi
  echo "== e2e suite, bundled program on Node $version ($node_bin)"
  if ! ASANA_AUDIT_LOG_NODE=$node_bin npx mocha "${specs[@]}"; then
    failed+=("$version")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "node-matrix: the e2e suite failed on Node ${failed[*]}" >&2
  exit 1
fi
echo "node-matrix: the e2e suite passed on Node ${MAJORS[*]}"
