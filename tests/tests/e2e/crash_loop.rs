//! The relay SIGKILLed again and again while devices edit: whatever a
//! device saw the relay confirm is in the relay's store at every kill, and
//! when the killing stops every device converges on the same documents with
//! every edit in them. Also with a backup restored in the middle: the
//! devices bring back all the backup lacks.
//!
//! Sizes (`LINLI_FAULT_DEVICES`, `LINLI_FAULT_KILLS`) and the seed
//! (`LINLI_FAULT_SEED`) come from the environment when set, as
//! scripts/faults-large.sh sets them.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tempfile::TempDir;
use tokio::task::block_in_place;

use super::backup::restore;
use super::fault_proxy::{fault_seed, size};
use super::fleet::{Fleet, assert_relay_holds, relay_lacks};
use super::relay_process::{PATIENCE, RelayProcess, admin};

/// Documents the fleet shares.
const DOCS: usize = 4;

/// Kills the relay `kills` times, each a random 0–500 ms after the
/// restarted relay confirmed something to some device, and starts it again
/// on the same port. With `check`, every change any device holds as
/// confirmed must be in the dead relay's store at each kill.
pub async fn kill_again_and_again(
    relay: &mut RelayProcess,
    fleet: &Fleet,
    kills: usize,
    rng: &mut StdRng,
    check: bool,
) {
    for k in 1..=kills {
        let mark = fleet.confirmations();
        fleet.wait_confirmation_after(mark).await;
        // The workload: a kill at a random moment of busy syncing.
        let pause = Duration::from_millis(rng.random_range(0..500));
        tokio::time::sleep(pause).await;
        block_in_place(|| relay.kill9());
        if check {
            let confirmed = fleet.confirmed();
            block_in_place(|| {
                assert_relay_holds(&relay.data, &confirmed, &format!("at kill {k}"));
            });
        }
        block_in_place(|| relay.restart());
    }
}

/// Stops the workload and checks the end state: every device settled on
/// the same heads, all confirmed, every edit present, and the relay's store
/// (read after a last SIGKILL) holding all of it.
async fn finish(relay: &mut RelayProcess, mut fleet: Fleet, edits: usize) {
    let devices = fleet.devices.len();
    fleet
        .settle(PATIENCE * (3 + (devices * devices * edits / 1_000_000) as u32))
        .await;
    fleet.disconnect().await;
    block_in_place(|| relay.kill9());
    assert_relay_holds(&relay.data, &fleet.heads(), "at the end");
    assert_eq!(fleet.keys(), edits, "every edit is in the documents");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_confirmed_edit_survives_a_relay_killed_again_and_again() {
    let devices = size("LINLI_FAULT_DEVICES", 20);
    let kills = size("LINLI_FAULT_KILLS", 20);
    let seed = fault_seed("crash loop");
    let data = TempDir::new().unwrap();
    let mut relay = RelayProcess::start(data.path());
    let mut fleet = Fleet::new(&relay, devices, DOCS).await;
    fleet.connect(&relay.bare_url);
    let editing = fleet.edit(seed, None);
    let mut rng = StdRng::seed_from_u64(seed);
    kill_again_and_again(&mut relay, &fleet, kills, &mut rng, true).await;
    let edits = editing.finish().await;
    finish(&mut relay, fleet, edits).await;
    println!("crash loop: {devices} devices, {edits} edits, survived {kills} SIGKILLs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restored_amid_a_crash_loop_gets_back_everything_from_the_devices() {
    let devices = size("LINLI_FAULT_DEVICES", 10);
    let kills = size("LINLI_FAULT_KILLS", 12) / 3;
    let seed = fault_seed("restore under a crash loop");
    let data = TempDir::new().unwrap();
    let mut relay = RelayProcess::start(data.path());
    let mut fleet = Fleet::new(&relay, devices, DOCS).await;
    fleet.connect(&relay.bare_url);
    let editing = fleet.edit(seed, None);
    let mut rng = StdRng::seed_from_u64(seed);
    kill_again_and_again(&mut relay, &fleet, kills, &mut rng, true).await;

    // The nightly backup, taken while the devices edit.
    let backups = TempDir::new().unwrap();
    let file = backups.path().join("relay-backup.sqlite");
    block_in_place(|| admin(&relay.data, &["backup", "--to", file.to_str().unwrap()]));
    kill_again_and_again(&mut relay, &fleet, kills, &mut rng, true).await;

    // The disk dies; the office restores last night's backup.
    block_in_place(|| {
        relay.kill9();
        let confirmed = fleet.confirmed();
        let restored = restore(&relay.data, &file);
        assert!(
            restored.status.success(),
            "{}",
            String::from_utf8_lossy(&restored.stderr)
        );
        let lacks = relay_lacks(&relay.data, &confirmed);
        assert!(
            !lacks.is_empty(),
            "the backup should lack what was confirmed after it"
        );
        println!(
            "restore: the backup lacks {} confirmed head(s) the devices hold",
            lacks.len()
        );
        relay.restart();
    });

    // The devices hold confirmations the restored relay lacks until they
    // bring them back, so no check at these kills; the end checks all.
    kill_again_and_again(&mut relay, &fleet, kills, &mut rng, false).await;
    let edits = editing.finish().await;
    finish(&mut relay, fleet, edits).await;
    println!(
        "restore under a crash loop: {devices} devices, {edits} edits, {} SIGKILLs and a restore",
        kills * 3 + 1
    );
}
