//! Document events: what [`Client::subscribe`](crate::Client::subscribe)
//! delivers when a document changes here, arrives from the relay, is
//! confirmed by it, or is unavailable there.

use std::collections::HashMap;
use std::sync::Mutex;

use automerge::ChangeHash;
use linli_protocol::DocumentId;
use tokio::sync::broadcast;

/// How many events a slow subscriber may fall behind before it sees
/// `RecvError::Lagged` (it can then re-read the document).
const CAPACITY: usize = 256;

/// What happened to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DocEventKind {
    /// A change made on this device was committed to the local store (by
    /// this client, or by another process using the same store, such as
    /// the `linli` CLI while an app keeps a sync loop running).
    Local,
    /// Changes from the relay were applied and committed locally.
    Remote,
    /// The relay confirmed holding more of this device's changes: the
    /// pending count may have dropped. `heads` are the confirmed heads.
    Confirmed,
    /// The relay answered `doc-unavailable` for this document.
    Unavailable,
}

/// One event about one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocEvent {
    pub doc: DocumentId,
    pub kind: DocEventKind,
    /// The document's heads after the event (for [`DocEventKind::Confirmed`],
    /// the heads the relay is known to hold).
    pub heads: Vec<ChangeHash>,
}

/// Per-document broadcast channels plus one for every document.
pub(crate) struct Events {
    per_doc: Mutex<HashMap<DocumentId, broadcast::Sender<DocEvent>>>,
    all: broadcast::Sender<DocEvent>,
}

impl Events {
    pub(crate) fn new() -> Self {
        Self {
            per_doc: Mutex::new(HashMap::new()),
            all: broadcast::channel(CAPACITY).0,
        }
    }

    pub(crate) fn subscribe(&self, doc: DocumentId) -> broadcast::Receiver<DocEvent> {
        let mut map = self.per_doc.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(doc)
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe()
    }

    pub(crate) fn subscribe_all(&self) -> broadcast::Receiver<DocEvent> {
        self.all.subscribe()
    }

    pub(crate) fn emit(&self, doc: DocumentId, kind: DocEventKind, heads: Vec<ChangeHash>) {
        let event = DocEvent { doc, kind, heads };
        {
            let mut map = self.per_doc.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(sender) = map.get(&doc) {
                if sender.receiver_count() == 0 {
                    map.remove(&doc);
                } else {
                    // Only fails when every receiver is gone.
                    let _ = sender.send(event.clone());
                }
            }
        }
        let _ = self.all.send(event);
    }
}
