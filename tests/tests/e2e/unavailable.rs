//! Documents the relay does not have, and the basic push/fetch path.

use linli_protocol::DocumentId;
use tempfile::TempDir;

use super::raw_peer::{RawPeer, new_doc, wanted_doc};
use super::relay_process::RelayProcess;

#[tokio::test]
async fn request_for_unknown_document_gets_doc_unavailable() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let mut peer = RawPeer::join(&relay.url, "asker").await;
    let mut doc = wanted_doc("asker", DocumentId::random(&mut rand::rng()));
    assert_eq!(peer.sync_doc(&mut doc).await, Some("doc-unavailable"));
}

#[tokio::test]
async fn pushed_document_is_served_to_another_peer() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let mut author = RawPeer::join(&relay.url, "author").await;
    let mut doc = new_doc("author", "building", "3号楼");
    assert_eq!(author.sync_doc(&mut doc).await, Some("sync"));

    let mut reader = RawPeer::join(&relay.url, "reader").await;
    let mut copy = wanted_doc("reader", doc.document_id());
    assert_eq!(reader.sync_doc(&mut copy).await, Some("sync"));
    assert_eq!(copy.heads(), doc.heads());
}

#[tokio::test]
async fn waiting_requester_receives_document_when_it_is_pushed() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let mut doc = new_doc("author", "k", "v");
    let mut waiting = RawPeer::join(&relay.url, "waiting").await;
    let mut copy = wanted_doc("waiting", doc.document_id());
    assert_eq!(waiting.sync_doc(&mut copy).await, Some("doc-unavailable"));

    let mut author = RawPeer::join(&relay.url, "author").await;
    author.sync_doc(&mut doc).await;
    // The relay pushes the document to the peer that asked earlier.
    let got = waiting.recv().await;
    let super::raw_peer::Got::Message(linli_protocol::Message::Sync(d)) = got else {
        panic!("expected sync, got {got:?}");
    };
    copy.receive(&waiting.relay_id(), linli_protocol::SyncKind::Sync, &d.data)
        .unwrap();
    waiting.sync_doc(&mut copy).await;
    assert_eq!(copy.heads(), doc.heads());
}
