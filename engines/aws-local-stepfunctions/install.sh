#!/usr/bin/env bash
# Installs the pinned aws-local-stepfunctions (package-lock.json) next to shim.mjs with `npm ci`.
# Idempotent and quiet: does nothing when node_modules was installed from this lock file.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.aslcheck-installed-lock.json
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error >/dev/null
cp package-lock.json "$stamp"
