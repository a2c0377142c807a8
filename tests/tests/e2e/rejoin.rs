//! A connection that dies silently while the relay is still sending into it,
//! then the same peer rejoins on a new socket: it gets everything it missed.

use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use linli_protocol::Access;
use tempfile::TempDir;

use super::raw_peer::{Got, RawPeer, new_doc, wanted_doc};
use super::relay_process::RelayProcess;

#[tokio::test]
async fn peer_rejoining_after_a_silent_death_gets_everything_it_missed() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let mut author = RawPeer::join(&relay.url, "author").await;
    let mut doc = new_doc("author", "k", "v0");
    author.sync_doc(&mut doc).await;

    // The reader syncs, then its socket goes silent: never read again,
    // never closed, while the relay keeps sending into it.
    let mut old = RawPeer::join(&relay.url, "reader").await;
    let mut copy = wanted_doc("reader", doc.document_id());
    old.sync_doc(&mut copy).await;
    for i in 0..50 {
        let mut tx = doc.doc_mut().transaction();
        tx.put(ROOT, format!("h{i}"), "visited").unwrap();
        tx.commit();
        author.sync_doc(&mut doc).await;
    }

    // Same peer id, new socket. Its own sync state starts afresh too.
    let mut new = RawPeer::join(&relay.url, "reader").await;
    copy.attach(new.relay_id(), Access::ReadWrite);
    new.sync_doc(&mut copy).await;
    assert_eq!(copy.heads(), doc.heads());
    assert_eq!(
        copy.doc()
            .get(ROOT, "h49")
            .unwrap()
            .map(|(v, _)| v.to_string())
            .as_deref(),
        Some("\"visited\"")
    );

    // The relay closed the stale socket when the peer rejoined.
    loop {
        match old.recv().await {
            Got::Closed => break,
            Got::Message(_) | Got::Other(_) => continue,
        }
    }
}
