#!/usr/bin/env bash
# `npm run live`: the emulator's assumptions checked against the real API in One service, for
# the publisher with a key (see scripts/live.ts; without SEEDANCE_API_KEY it spends nothing).
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
ensure_node24
ensure_deps
run_project_script live "$@"
