#!/usr/bin/env bash
# The README's test command: formatting, build, type-check, both lint rule sets, n8n's verification scanner on
# the packed package, then jest (unit tests, and integration tests through n8n-core's engine
# against the emulator).
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
ensure_node24
ensure_deps
cd "$PROJECT_ROOT"
step "Format (prettier --check; npm run format fixes it)" && npx prettier --check . >/dev/null
step "Build" && npm run --silent build
step "Type-check (nodes, credentials, tests)" && npx tsc -p tsconfig.json --noEmit
step "Lint (community-nodes recommended + n8n-nodes-base)" && npx eslint nodes credentials package.json
step "Verification scan of the packed package" && node scripts/scan-package.mjs
step "n8n-node lint (@n8n/node-cli)" && node scripts/n8n-node-lint.mjs
step "Tests (jest)" && npx jest "$@"
