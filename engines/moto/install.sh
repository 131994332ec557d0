#!/usr/bin/env bash
# Installs moto's server (pinned) into target/moto-venv, once. Prints the path of moto_server.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${ASLCHECK_MOTO_VENV:-$root/target/moto-venv}"
version="5.2.5"
mkdir -p "$(dirname "$venv")"
# Tests start servers in parallel: one installer at a time.
exec 9>"$venv.lock"
flock 9
if [ ! -x "$venv/bin/moto_server" ] || ! "$venv/bin/pip" show moto 2>/dev/null | grep -qx "Version: $version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server,stepfunctions]==$version" >&2
fi
echo "$venv/bin/moto_server"
