#!/usr/bin/env bash
# Installs the pinned npm package jsonata (package-lock.json: exactly 2.0.6, the dialect AWS Step
# Functions runs) next to eval.mjs with `npm ci`, for `cargo xtask jsonata-diff`.
# Idempotent and quiet: does nothing when node_modules was installed from this lock file.
set -euo pipefail
cd "$(dirname "$0")"
for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "engines/jsonata-js/install.sh: '$tool' not found; install Node.js 20 or later (with npm) and run this again" >&2
    exit 1
  fi
done
stamp=node_modules/.aslcheck-installed-lock.json
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error >/dev/null
cp package-lock.json "$stamp"
