//! The relay killed with SIGKILL, stopped with SIGTERM, and started on a
//! damaged database: nothing it acknowledged is lost.

use automerge::ROOT;
use automerge::transaction::Transactable;
use linli_protocol::DocSync;
use tempfile::TempDir;

use super::raw_peer::{RawPeer, new_doc, wanted_doc};
use super::relay_process::RelayProcess;

pub(super) fn edit(doc: &mut DocSync, key: &str, value: &str) {
    let mut tx = doc.doc_mut().transaction();
    tx.put(ROOT, key, value).unwrap();
    tx.commit();
}

#[tokio::test]
async fn confirmed_changes_survive_sigkill_of_the_relay() {
    let dir = TempDir::new().unwrap();
    let mut relay = RelayProcess::start(dir.path());
    confirmed_changes_survive_sigkill(&mut relay, "head").await;
}

/// `peer` confirms 100 edits over five documents on `relay`; the relay is
/// SIGKILLed and restarted; a fresh device gets every one of them.
pub(super) async fn confirmed_changes_survive_sigkill(relay: &mut RelayProcess, peer: &str) {
    let mut docs = Vec::new();
    let mut writer = RawPeer::join(&relay.url, peer).await;
    for n in 0..5 {
        let mut doc = new_doc(peer, "building", &format!("{n}号楼"));
        for i in 0..20 {
            edit(&mut doc, &format!("h{i}"), "visited");
            // sync_doc returns once the relay's heads equal ours: confirmed.
            writer.sync_doc(&mut doc).await;
        }
        docs.push(doc);
    }
    drop(writer);
    relay.kill9();
    relay.restart();
    let mut fresh = RawPeer::join(&relay.url, "fresh-device").await;
    for doc in &docs {
        let mut copy = wanted_doc("fresh-device", doc.document_id());
        assert_eq!(fresh.sync_doc(&mut copy).await, Some("sync"));
        assert_eq!(copy.heads(), doc.heads(), "a confirmed change was lost");
    }
}

#[tokio::test]
async fn sigterm_stops_the_relay_cleanly_and_data_remains() {
    let dir = TempDir::new().unwrap();
    let mut relay = RelayProcess::start(dir.path());
    let mut peer = RawPeer::join(&relay.url, "head").await;
    let mut doc = new_doc("head", "k", "v");
    peer.sync_doc(&mut doc).await;
    assert_eq!(relay.terminate(), Some(0), "relay should exit 0 on SIGTERM");
    drop(peer);
    relay.restart();
    let mut fresh = RawPeer::join(&relay.url, "fresh").await;
    let mut copy = wanted_doc("fresh", doc.document_id());
    fresh.sync_doc(&mut copy).await;
    assert_eq!(copy.heads(), doc.heads());
}

#[tokio::test]
async fn corrupt_stored_document_is_unavailable_and_others_still_sync() {
    let dir = TempDir::new().unwrap();
    let mut relay = RelayProcess::start(dir.path());
    let mut peer = RawPeer::join(&relay.url, "head").await;
    let mut damaged = new_doc("head", "k", "damaged");
    let mut healthy = new_doc("head", "k", "healthy");
    peer.sync_doc(&mut damaged).await;
    peer.sync_doc(&mut healthy).await;
    drop(peer);
    relay.kill9();
    {
        let db = rusqlite::Connection::open(dir.path().join("relay.sqlite")).unwrap();
        let changed = db
            .execute(
                "UPDATE chunks SET bytes = x'00112233' WHERE doc_id = ?1",
                [damaged.document_id().as_bytes().to_vec()],
            )
            .unwrap();
        assert!(changed > 0);
    }
    relay.restart();
    let mut fresh = RawPeer::join(&relay.url, "fresh").await;
    let mut copy = wanted_doc("fresh", damaged.document_id());
    assert_eq!(fresh.sync_doc(&mut copy).await, Some("doc-unavailable"));
    let mut copy = wanted_doc("fresh", healthy.document_id());
    assert_eq!(fresh.sync_doc(&mut copy).await, Some("sync"));
    assert_eq!(copy.heads(), healthy.heads());
}
