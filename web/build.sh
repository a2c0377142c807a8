#!/bin/sh
# Rebuilds the field app into web/dist (committed; the relay embeds it):
# the Rust client to wasm (build-wasm.sh), then the UI with the locked npm
# packages. Nothing is downloaded but the locked packages.
set -eu
cd "$(dirname "$0")"
./build-wasm.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run build
