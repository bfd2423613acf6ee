#!/usr/bin/env bash
# Runs a command under the project's Node 24 with its devDependencies installed.
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
ensure_node24
ensure_deps
cd "$PROJECT_ROOT"
exec "$@"
