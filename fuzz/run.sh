#!/usr/bin/env bash
# Runs every fuzz target for a fixed number of executions and prints one
# summary line per target. Not part of CI's test run (it needs cargo-fuzz
# and a sanitizer build): `cargo install cargo-fuzz`, then `fuzz/run.sh`.
# The toolchain here is stable; RUSTC_BOOTSTRAP lets cargo-fuzz use the
# sanitizer flags it needs.
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
DECODE_RUNS=${DECODE_RUNS:-1000000}
SESSION_RUNS=${SESSION_RUNS:-200000}
RELAY_RUNS=${RELAY_RUNS:-20000}
IMPORT_RUNS=${IMPORT_RUNS:-200000}
RECORDS_RUNS=${RECORDS_RUNS:-200000}

# Seed the decoder with frames captured from real automerge-repo peers.
mkdir -p corpus/decode_message corpus/relay_connection corpus/sync_session \
  corpus/import_csv corpus/records_load
# CSV files in the street spreadsheets' format, and each kind of document as JSON
# (made with the linli CLI: `linli doc show URL --json`).
cp seeds/import_csv/* corpus/import_csv/
cp seeds/records_load/* corpus/records_load/
cp ../protocol/tests/fixtures/js/*.cbor corpus/decode_message/
# … and the relay's connection with each of them as one framed message
# (two length bytes, little-endian, then the frame).
for f in ../protocol/tests/fixtures/js/*.cbor; do
  python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.stdout.buffer.write(len(d).to_bytes(2,"little")+d)' "$f" \
    > "corpus/relay_connection/$(basename "$f")"
done

run() {
  local target=$1 runs=$2
  local log="artifacts/$target.log"
  mkdir -p artifacts
  local start=$SECONDS
  if cargo fuzz run -O "$target" -- -runs="$runs" -max_len=8192 >"$log" 2>&1; then
    echo "$target: $runs executions, no crash, $((SECONDS - start)) s ($(grep -o 'cov: [0-9]*' "$log" | tail -1))"
  else
    echo "$target: FAILED after $((SECONDS - start)) s; see fuzz/$log"
    return 1
  fi
}

run decode_message "$DECODE_RUNS"
run sync_session "$SESSION_RUNS"
run relay_connection "$RELAY_RUNS"
run import_csv "$IMPORT_RUNS"
run records_load "$RECORDS_RUNS"
