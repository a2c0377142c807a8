#!/bin/sh
# Builds the browser client (web/client, Rust) into web/src/wasm/: the .wasm
# and wasm-bindgen's JavaScript glue. Needs the wasm32-unknown-unknown target
# and wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock
# (`cargo install wasm-bindgen-cli --version X`); never wasm-pack, which
# downloads binaries.
set -eu
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
# Paths of this checkout and of the cargo registry must not end up in the
# .wasm (panic locations), or the committed build would differ per machine.
root=$(pwd)
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--remap-path-prefix=$root=/linli --remap-path-prefix=$cargo_home=/cargo"
cargo build --locked -p linli-web-client --target wasm32-unknown-unknown --profile wasm
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version | awk '{ print $2 }')
if [ "$want" != "$have" ]; then
  echo "wasm-bindgen-cli is $have, Cargo.lock has $want: cargo install wasm-bindgen-cli --version $want" >&2
  exit 1
fi
rm -rf web/src/wasm
wasm-bindgen --target web --out-dir web/src/wasm \
  "$target/wasm32-unknown-unknown/wasm/linli_web_client.wasm"
