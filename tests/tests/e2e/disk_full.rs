//! The relay's disk fills up (simulated exactly: its database capped with
//! `--max-storage-mb`, so SQLite reports "database or disk is full"). The
//! change that does not fit is refused with a clear error and stays pending
//! on the device; everything already stored stays readable; other peers
//! carry on; once there is room, the same change syncs and nothing is lost.

use std::time::Duration;

use automerge::transaction::Transactable;
use automerge::{ROOT, ScalarValue};
use linli_client::Client;
use tempfile::TempDir;

use super::client_sync::sync;
use super::raw_peer::{RawPeer, new_doc, wanted_doc};
use super::relay_process::RelayProcess;

/// `n` bytes no compressor can shrink (a scanned form, say).
fn incompressible(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[tokio::test]
async fn a_full_relay_refuses_what_does_not_fit_and_loses_nothing() {
    let dir = TempDir::new().unwrap();
    let mut relay = RelayProcess::start_with(dir.path(), &["--max-storage-mb", "1"]);

    // Stored while there is room.
    let mut head = RawPeer::join(&relay.url, "head").await;
    let mut building = new_doc("head", "building", "3号楼");
    head.sync_doc(&mut building).await;

    // A device pushes more than the room left.
    let device = TempDir::new().unwrap();
    let client = Client::open(device.path()).unwrap();
    let scans = client.create().unwrap();
    client
        .change(scans, |tx| {
            tx.put(ROOT, "scan", ScalarValue::Bytes(incompressible(2 << 20)))?;
            Ok(())
        })
        .unwrap();
    let unconfirmed = client.pending(scans).unwrap().changes;
    // Short on purpose: the relay refuses on every attempt, so this only
    // bounds how long the device keeps retrying.
    let err = client
        .sync_until_idle(&relay.url, Duration::from_secs(3))
        .await
        .expect_err("a full relay cannot confirm the change");
    let report = err.sync_report().expect("a sync report");
    let said = report.last_error.clone().unwrap_or_default();
    assert!(said.contains("disk is full"), "device was told: {said:?}");
    assert_eq!(
        client.pending(scans).unwrap().changes,
        unconfirmed,
        "the device keeps every unconfirmed change"
    );

    // The other peer carries on and still gets small changes stored.
    let mut tx = building.doc_mut().transaction();
    tx.put(ROOT, "note", "visited").unwrap();
    tx.commit();
    assert_eq!(head.sync_doc(&mut building).await, Some("sync"));

    // A fresh device gets what was stored, and nothing half-written.
    let mut fresh = RawPeer::join(&relay.url, "fresh").await;
    let mut copy = wanted_doc("fresh", building.document_id());
    assert_eq!(fresh.sync_doc(&mut copy).await, Some("sync"));
    assert_eq!(copy.heads(), building.heads());
    let mut missing = wanted_doc("fresh", scans);
    assert_eq!(fresh.sync_doc(&mut missing).await, Some("doc-unavailable"));
    drop((head, fresh));

    // The operator makes room: the device's next sync confirms the change.
    relay.restart_with(&[]);
    sync(&client, &relay.url).await;
    assert_eq!(client.pending(scans).unwrap().changes, 0);
    let mut later = RawPeer::join(&relay.url, "later").await;
    let mut copy = wanted_doc("later", scans);
    assert_eq!(later.sync_doc(&mut copy).await, Some("sync"));
    assert_eq!(copy.heads(), client.heads(scans).unwrap());
}
