#!/usr/bin/env bash
# The end-to-end suite: the packed package inside real n8n installs (N8N_VERSIONS, default
# "2.40.7 1.123.81"), against the emulator on loopback. Each n8n is installed into the cache on
# the first run (~5 minutes and ~3 GB each) and reused afterwards.
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
ensure_node24
ensure_deps
cd "$PROJECT_ROOT"
export N8N_VERSIONS="${N8N_VERSIONS:-2.40.7 1.123.81}"
step "Build" && npm run --silent build
for version in $N8N_VERSIONS; do
	step "n8n $version" && bash scripts/install-n8n.sh "$version" >/dev/null
done
step "End-to-end suite in n8n $N8N_VERSIONS (jest -c jest.e2e.config.js)" && npx jest -c jest.e2e.config.js "$@"
