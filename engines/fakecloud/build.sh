#!/usr/bin/env bash
# Builds the fakecloud peer (release) and prints the path of its binary. Its own workspace and
# target directory (engines/fakecloud/target), so it never touches ours; versions pinned by
# Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")"
CARGO_TARGET_DIR="$PWD/target" cargo build --quiet --release --locked >&2
echo "$PWD/target/release/aslcheck-fakecloud-peer"
