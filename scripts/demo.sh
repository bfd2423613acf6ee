#!/usr/bin/env bash
# The README's first command: the example workflow through the Seedance node inside a real n8n
# (installed into the cache on the first run; see scripts/demo.ts).
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
ensure_node24
ensure_deps
run_project_script demo
