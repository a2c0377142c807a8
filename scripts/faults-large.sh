#!/usr/bin/env bash
# The fault tests of tests/tests/e2e at a size too large for CI (issue 12,
# "faults at scale"): the same tests, with sizes from the environment.
# Not part of CI; its results are recorded in SECURITY.md.
#
#   scripts/faults-large.sh                  # a new seed, printed
#   LINLI_FAULT_SEED=123 scripts/faults-large.sh   # repeat a run
#
# Defaults: a crash loop of 20 devices and 100 SIGKILLs; a restore amid 60
# more; 20 devices x 1000 edits through the chaos proxy with faults every
# 200 B - 2 KiB (over 1,000 broken connections) and 10 SIGKILLs; the
# first full sync of the whole street preset (210 buildings) cut after
# every quarter. Each can be changed through the variables below.
set -euo pipefail
cd "$(dirname "$0")/.."

export LINLI_FAULT_SEED="${LINLI_FAULT_SEED:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}"
export LINLI_FAULT_DEVICES="${LINLI_FAULT_DEVICES:-20}"
export LINLI_CHAOS_DEVICES="${LINLI_CHAOS_DEVICES:-20}"
export LINLI_CHAOS_EDITS="${LINLI_CHAOS_EDITS:-1000}"
export LINLI_CHAOS_KILLS="${LINLI_CHAOS_KILLS:-10}"
export LINLI_CHAOS_FAULT_BYTES="${LINLI_CHAOS_FAULT_BYTES:-2048}"
export LINLI_FAULT_PRESET="${LINLI_FAULT_PRESET:-street}"
kills="${LINLI_FAULT_KILLS:-100}"
restore_kills="${LINLI_RESTORE_KILLS:-60}"

echo "faults-large: seed $LINLI_FAULT_SEED"
cargo build --quiet -p linli-server -p linli-client --bins
cargo test --quiet -p linli-tests --test e2e --no-run

run() {
  local name=$1
  shift
  local start=$SECONDS
  echo "== $name"
  env "$@" cargo test --quiet -p linli-tests --test e2e "$name" -- --exact --nocapture --test-threads 1
  echo "== $name: passed in $((SECONDS - start)) s"
}

run e2e::crash_loop::every_confirmed_edit_survives_a_relay_killed_again_and_again \
  LINLI_FAULT_KILLS="$kills"
run e2e::crash_loop::a_backup_restored_amid_a_crash_loop_gets_back_everything_from_the_devices \
  LINLI_FAULT_KILLS="$restore_kills"
run e2e::chaos::devices_behind_a_chaos_proxy_converge_with_nothing_lost
run e2e::first_sync_resume::a_first_full_sync_cut_again_and_again_resumes_and_completes
run e2e::long_offline::weeks_offline_with_500_edits_all_arrive_and_clashing_fields_are_listed
echo "faults-large: all passed (seed $LINLI_FAULT_SEED)"
