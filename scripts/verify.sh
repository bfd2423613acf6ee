#!/usr/bin/env bash
# `npm run verify` (and prepublishOnly): n8n's verification points checked before publishing,
# on a fresh build (see scripts/verify.ts).
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
ensure_node24
ensure_deps
run_project_script verify "$@"
