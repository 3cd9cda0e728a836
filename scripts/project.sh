#!/usr/bin/env bash
# Entry point behind `npm start` and `npm test`. Works on a bare machine: brings its own Node 24
# when the machine has an older one, installs the locked dev dependencies, then does the job.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

NODE_VERSION="24.11.1"
toolchain="$root/.toolchain/node-$NODE_VERSION"

log() { printf '\033[1m[onemsg]\033[0m %s\n' "$*" >&2; }

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
	if [ "$(node_major)" -ge 24 ]; then return; fi
	if [ ! -x "$toolchain/node_modules/.bin/node" ]; then
		log "Node $(node --version 2>/dev/null || echo none) found; installing Node $NODE_VERSION into .toolchain/ (once)"
		mkdir -p "$toolchain"
		npm install --prefix "$toolchain" --no-save --no-package-lock --loglevel=error "node@$NODE_VERSION" >&2
	fi
	export PATH="$toolchain/node_modules/.bin:$PATH"
	# Native addons (sqlite3 in the local n8n) must compile against this Node's headers.
	local headers
	headers="$(ls -d "$toolchain"/node_modules/node/node_modules/*/include/node 2>/dev/null | head -n 1)"
	[ -n "$headers" ] && export npm_config_nodedir="${headers%/include/node}"
	[ "$(node_major)" -ge 24 ] || { log "could not bring Node 24 (node is $(node --version))"; exit 1; }
}

ensure_deps() {
	local want have=""
	want="$(node -e 'const c=require("crypto");process.stdout.write(c.createHash("sha256").update(require("fs").readFileSync("package-lock.json")).digest("hex"))')-$(node --version)"
	[ -f node_modules/.onemsg-installed ] && have="$(cat node_modules/.onemsg-installed)"
	if [ "$want" != "$have" ]; then
		log "installing the locked dev dependencies"
		# Not `npm ci`: the lockfile names optional native bindings for every platform, and a registry
		# mirror without the foreign ones makes `npm ci` refuse. `npm install` keeps the locked versions
		# and skips the missing optional ones; the lockfile stays unchanged.
		npm install --loglevel=error >&2
		echo "$want" > node_modules/.onemsg-installed
	fi
}

cmd="${1:-}"
shift || true
ensure_node
ensure_deps

# the sandbox imports the package's own .ts rules, which Node reads as ES modules without asking
run_mts() { exec node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON "$@"; }
case "$cmd" in
	build) npm run --silent build ;;
	start)
		npm run --silent build
		run_mts scripts/start.mts
		;;
	test) exec node scripts/run-tests.mjs "$@" ;;
	bench)
		npm run --silent build
		run_mts scripts/bench.mts "$@"
		;;
	*) log "usage: scripts/project.sh start|test|bench|build"; exit 2 ;;
esac
