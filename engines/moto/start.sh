#!/usr/bin/env bash
# Starts moto's server on 127.0.0.1 (port $1, default 5000) in the foreground, installing it
# first if needed. aslcheck switches state machine execution on when it connects; to do it by
# hand: curl -X POST -d '{"stepfunctions": {"execute_state_machine": true}}' http://127.0.0.1:5000/moto-api/config
set -euo pipefail
port="${1:-5000}"
server="$("$(dirname "$0")/install.sh")"
exec "$server" -H 127.0.0.1 -p "$port"
