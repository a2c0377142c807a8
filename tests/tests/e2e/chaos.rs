//! Devices syncing through a seeded chaos proxy that drops, cuts,
//! truncates, stalls and delays their connections, while the relay is also
//! SIGKILLed now and then: every edit arrives, every device converges.
//!
//! Sizes (`LINLI_CHAOS_DEVICES`, `LINLI_CHAOS_EDITS`, `LINLI_CHAOS_KILLS`,
//! and `LINLI_CHAOS_FAULT_BYTES`, the most bytes before a fault) and the
//! seed (`LINLI_FAULT_SEED`) come from the environment when set,
//! as scripts/faults-large.sh sets them.

use rand::SeedableRng;
use rand::rngs::StdRng;
use tempfile::TempDir;
use tokio::task::block_in_place;

use super::crash_loop::kill_again_and_again;
use super::fault_proxy::{FaultProxy, chaos, fault_seed, size};
use super::fleet::{Fleet, assert_relay_holds};
use super::relay_process::{PATIENCE, RelayProcess};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_behind_a_chaos_proxy_converge_with_nothing_lost() {
    let devices = size("LINLI_CHAOS_DEVICES", 10);
    let edits = size("LINLI_CHAOS_EDITS", 100);
    let kills = size("LINLI_CHAOS_KILLS", 3);
    let fault_bytes = size("LINLI_CHAOS_FAULT_BYTES", 64 * 1024);
    let seed = fault_seed("chaos proxy");
    let data = TempDir::new().unwrap();
    let mut relay = RelayProcess::start(data.path());
    let proxy = FaultProxy::start(relay.addr(), chaos(seed, fault_bytes)).await;
    let mut fleet = Fleet::new(&relay, devices, 4).await;
    fleet.connect(&proxy.url(&relay.bare_url, &relay.addr()));
    let editing = fleet.edit(seed, Some(edits));
    let mut rng = StdRng::seed_from_u64(seed);
    kill_again_and_again(&mut relay, &fleet, kills, &mut rng, true).await;
    let made = editing.join().await;
    assert_eq!(made, devices * edits);

    // Every device applies every other's edits: the work grows with both.
    fleet
        .settle(PATIENCE * (2 + (devices * devices * edits / 20_000) as u32))
        .await;
    fleet.disconnect().await;
    block_in_place(|| relay.kill9());
    assert_relay_holds(&relay.data, &fleet.heads(), "at the end");
    assert_eq!(fleet.keys(), made, "every edit is in the documents");
    println!(
        "chaos proxy: {devices} devices × {edits} edits converged; survived {} and {kills} SIGKILLs",
        proxy.counts
    );
    assert!(proxy.counts.broken() > 0, "the proxy broke nothing");
}
