//! Any bytes as a peer's sync data for a document that has content: a
//! typed error or an applied message; never a panic, and the document stays
//! loadable.
#![no_main]

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};
use libfuzzer_sys::fuzz_target;
use linli_protocol::{Access, DocSync, DocumentId, PeerId, SyncKind};

fuzz_target!(|data: &[u8]| {
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    tx.put(ROOT, "building", "3号楼").expect("put");
    tx.commit();
    let mut session = DocSync::new(DocumentId::from_bytes([1; 16]), PeerId::new("relay"), doc);
    let peer = PeerId::new("peer");
    session.attach(peer.clone(), Access::ReadWrite);
    let kind = if data.first().is_some_and(|b| b & 1 == 1) { SyncKind::Request } else { SyncKind::Sync };
    if let Ok(received) = session.receive(&peer, kind, data) {
        let _ = session.outgoing();
        let mut reloaded = Automerge::load(&session.doc().save()).expect("document reloads");
        let _ = reloaded.load_incremental(&received.new_changes);
    }
});
