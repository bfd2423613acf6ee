#!/usr/bin/env bash
# Installs a real n8n (headless) into the cache, keyed by version, and prints its directory.
# Recipe from shared/toolchain.md: --ignore-scripts (Kafka's install script needs the internet),
# then rebuild only the native addons n8n needs here. ~5 min and ~3 GB on a cache miss.
# Scripts are turned back on for the rebuild: under `npm run` the project .npmrc's ignore-scripts
# reaches every npm call as npm_config_ignore_scripts, and the rebuild would then build nothing.
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
version="${1:?usage: install-n8n.sh VERSION|DIST-TAG (e.g. 2.41.1, latest)}"
ensure_node24
# A dist-tag (latest, next) or a range: the version the registry gives for it today.
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	tag="$version"
	version="$(npm view "n8n@$tag" version --json | node -p 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); [].concat(v).at(-1) ?? ""')"
	[ -n "$version" ] || { echo "The registry has no n8n for \"$tag\"" >&2; exit 1; }
	step "n8n@$tag is $version"
fi
dir="$SEEDANCE_CACHE/n8n-$version"
if [ ! -f "$dir/.complete" ]; then
	step "Installing n8n $version into $dir (first run only: ~5 minutes, ~3 GB)"
	rm -rf "$dir" && mkdir -p "$dir"
	overrides='{}'
	# n8n 1.x fetches xlsx from a CDN that is not reachable; the registry's 0.18.5 works.
	case "$version" in 1.*) overrides='{"xlsx":"0.18.5"}' ;; esac
	printf '{"name":"n8n-host","private":true,"overrides":%s}\n' "$overrides" >"$dir/package.json"
	(cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error "n8n@$version" >&2 \
		&& npm rebuild --ignore-scripts=false isolated-vm sqlite3 >&2 \
		&& node -e 'require("sqlite3"); require("isolated-vm")')
	touch "$dir/.complete"
fi
echo "$dir"
