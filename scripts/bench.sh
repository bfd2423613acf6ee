#!/usr/bin/env bash
# `npm run bench`: prints the performance table (see scripts/bench.ts). Uses a real n8n for the
# memory figure (installed into the cache on the first run); BENCH_SKIP_N8N=1 skips that part.
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
ensure_node24
ensure_deps
run_project_script bench
