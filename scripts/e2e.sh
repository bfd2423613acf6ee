#!/usr/bin/env bash
# The end-to-end suite: the packed package inside real n8n installs (N8N_VERSIONS: versions or
# dist-tags such as "latest"; default the matrix in test/harness/n8n-versions.txt), against the
# emulator on loopback. Each n8n is installed into the cache on the first run (~5 minutes and
# ~3 GB each) and reused afterwards.
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
ensure_node24
ensure_deps
cd "$PROJECT_ROOT"
N8N_VERSIONS="${N8N_VERSIONS:-$(sed 's/#.*//' test/harness/n8n-versions.txt | xargs)}"
step "Build" && npm run --silent build
# The suites are told the versions installed: a dist-tag becomes the version it names today.
resolved=()
for version in $N8N_VERSIONS; do
	step "n8n $version" && dir="$(bash scripts/install-n8n.sh "$version")"
	resolved+=("${dir##*/n8n-}")
done
export N8N_VERSIONS="${resolved[*]}"
# The editor suite drives Debian's Chromium (no browser download reaches this network).
if ! command -v "${CHROMIUM_PATH:-/usr/bin/chromium}" >/dev/null; then
	step "Installing Debian's chromium for the editor suite"
	if [ "$(id -u)" = 0 ]; then apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
	else echo "Install Chromium first: sudo apt-get install -y chromium" >&2; exit 1; fi
fi
# Queue mode (test/e2e/queueMode.e2e.test.ts) runs Debian's Redis and PostgreSQL on loopback.
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
	step "Installing Debian's ${missing[*]} for the queue-mode suite"
	if [ "$(id -u)" = 0 ]; then apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
	else echo "Install them first: sudo apt-get install -y ${missing[*]}" >&2; exit 1; fi
fi
step "End-to-end suite in n8n $N8N_VERSIONS (jest -c jest.e2e.config.js)" && npx jest -c jest.e2e.config.js "$@"
