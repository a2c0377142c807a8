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
# Every text and wasm file also gzipped (-n: no name or time inside, so the
# output is the same on every machine): the relay sends these to browsers
# that accept gzip, a third of the bytes over a slow mobile link.
find dist -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.webmanifest' \) \
  -exec gzip -9 -n -k -f {} \;
