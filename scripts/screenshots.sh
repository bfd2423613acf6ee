#!/usr/bin/env bash
# Regenerates docs/*.png (see scripts/screenshots.ts): a real n8n editor in headless Chromium.
# Needs Debian's chromium (apt-get install chromium); the n8n install is cached like the demo's.
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
ensure_node24
ensure_deps
command -v "${CHROMIUM_PATH:-/usr/bin/chromium}" >/dev/null || { echo "Install Chromium first: apt-get install -y chromium" >&2; exit 1; }
run_project_script screenshots
