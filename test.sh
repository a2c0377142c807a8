#!/usr/bin/env bash
# Every check and every test of linli, from a fresh clone, in one command:
#
#   ./test.sh
#
# First installs what the tests need when it is missing (the rustfmt and
# clippy components, the wasm32 target, the JavaScript interop packages,
# nginx and openssl for the TLS test), then checks formatting and lints,
# and runs every test of the workspace.
# Nothing here reads anything outside this folder. A missing prerequisite
# that cannot be installed stops the script with what to install.
set -euo pipefail
cd "$(dirname "$0")"
# Cargo probes rustc with source on standard input (`rustc -`): whatever
# this script was given there must not reach it.
exec </dev/null

step() { printf '\n== %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
fail() {
  printf 'test.sh: %s\n' "$*" >&2
  exit 1
}

# Debian/Ubuntu packages, as root or through sudo.
apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    have sudo || fail "missing $*: install them (apt-get install $*) and run ./test.sh again"
    sudo="sudo"
  fi
  have apt-get || fail "missing $*: install them with your package manager and run ./test.sh again"
  step "installing $* (apt-get)"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$@"
}

step "toolchain"
have cargo || fail "cargo not found: install Rust with rustup (https://rustup.rs)"
if have rustup; then
  cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
  cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
  # linli-records must keep building for the browser (WebAssembly).
  rustup target list --installed | grep -qx wasm32-unknown-unknown ||
    rustup target add wasm32-unknown-unknown
fi

# Real automerge-repo JavaScript peers for the interop tests, pinned by
# tests/js/package-lock.json. Reinstalled when the lock file changes.
step "JavaScript interop packages (tests/js)"
have node && have npm ||
  fail "node and npm not found: install node 20 or later (apt-get install nodejs npm) and run ./test.sh again"
lock_hash="$(cat tests/js/package.json tests/js/package-lock.json | sha256sum | cut -d' ' -f1)"
stamp=tests/js/node_modules/.linli-installed
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_hash" ]; then
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" >"$stamp"
fi

# nginx (and openssl) for the test of the README's TLS deployment.
step "nginx and openssl (TLS test)"
if ! have nginx || ! have openssl; then
  apt_install nginx-light openssl
fi

# The field app (web/): wasm-bindgen-cli at exactly the version in
# Cargo.lock (built with cargo; never wasm-pack, which downloads binaries),
# the UI's locked packages, and Debian's Chromium with a CJK font for the
# browser tests (never a downloaded browser).
step "field app toolchain (wasm-bindgen-cli, web/ packages, chromium)"
wasm_bindgen=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }')" != "$wasm_bindgen" ]; then
  cargo install wasm-bindgen-cli --version "$wasm_bindgen"
fi
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then
  apt_install chromium fonts-noto-cjk
fi
web_hash="$(cat web/package.json web/package-lock.json | sha256sum | cut -d' ' -f1)"
web_stamp=web/node_modules/.linli-installed
if [ "$(cat "$web_stamp" 2>/dev/null)" != "$web_hash" ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
  echo "$web_hash" >"$web_stamp"
fi
# The committed web/dist (what the relay embeds) must be what the sources
# build: rebuilt here, and a difference fails. This also builds linli-records
# for wasm32, so the records logic is proven to run in the browser.
step "web/dist is up to date"
web/check-dist.sh

step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
step "cargo test --workspace"
cargo test --workspace --locked
step "all green"
