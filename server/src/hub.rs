//! The registry of live connections (by peer id) and loaded documents (by
//! document id). Each loaded document is owned by one [`doc_actor`] task;
//! every message for it goes through [`Hub::send`].
//!
//! [`doc_actor`]: crate::doc_actor

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use linli_protocol::{DocumentId, PeerId};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::doc_actor::{self, DocCommand};
use crate::storage::Storage;

#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    relay_id: PeerId,
    storage: Storage,
    idle_evict: Duration,
    docs: Mutex<HashMap<DocumentId, mpsc::UnboundedSender<DocCommand>>>,
    peers: Mutex<HashMap<PeerId, (u64, CancellationToken)>>,
    next_conn: AtomicU64,
    tasks: TaskTracker,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing here can be left half-updated by a panic: every critical
    // section is a single map operation.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Hub {
    pub fn new(relay_id: PeerId, storage: Storage, idle_evict: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                relay_id,
                storage,
                idle_evict,
                docs: Mutex::new(HashMap::new()),
                peers: Mutex::new(HashMap::new()),
                next_conn: AtomicU64::new(1),
                tasks: TaskTracker::new(),
            }),
        }
    }

    pub fn relay_id(&self) -> &PeerId {
        &self.inner.relay_id
    }

    pub fn storage(&self) -> &Storage {
        &self.inner.storage
    }

    pub fn idle_evict(&self) -> Duration {
        self.inner.idle_evict
    }

    /// Tracks connection and document tasks, so shutdown can wait for them.
    pub fn tasks(&self) -> &TaskTracker {
        &self.inner.tasks
    }

    /// Binds `peer` to a new connection, closing any older connection that
    /// claimed the same peer id. Returns the connection id and its close
    /// token.
    pub fn bind_peer(&self, peer: &PeerId) -> (u64, CancellationToken) {
        let conn_id = self.inner.next_conn.fetch_add(1, Ordering::Relaxed);
        let close = CancellationToken::new();
        let old = lock(&self.inner.peers).insert(peer.clone(), (conn_id, close.clone()));
        if let Some((_, old_close)) = old {
            old_close.cancel();
        }
        (conn_id, close)
    }

    /// Forgets `peer` if it is still bound to `conn_id`.
    pub fn unbind_peer(&self, peer: &PeerId, conn_id: u64) {
        let mut peers = lock(&self.inner.peers);
        if peers.get(peer).is_some_and(|(c, _)| *c == conn_id) {
            peers.remove(peer);
        }
    }

    /// Number of live connections.
    pub fn peer_count(&self) -> usize {
        lock(&self.inner.peers).len()
    }

    /// Number of documents loaded in memory.
    pub fn loaded_documents(&self) -> usize {
        lock(&self.inner.docs).len()
    }

    /// Delivers `cmd` to the document's task, loading the document first if
    /// no task holds it.
    pub fn send(&self, doc: DocumentId, cmd: DocCommand) {
        let mut docs = lock(&self.inner.docs);
        let cmd = match docs.get(&doc) {
            Some(tx) => match tx.send(cmd) {
                Ok(()) => return,
                Err(mpsc::error::SendError(cmd)) => cmd,
            },
            None => cmd,
        };
        let (tx, rx) = mpsc::unbounded_channel();
        // The receiver is alive: it is moved into the task just below.
        let _ = tx.send(cmd);
        docs.insert(doc, tx);
        self.inner
            .tasks
            .spawn(doc_actor::run(self.clone(), doc, rx));
    }

    /// Called by an idle document task: removes it from the registry unless
    /// a command arrived meanwhile. Senders hold the registry lock while
    /// sending, so nothing can arrive after this returns true.
    pub fn retire(&self, doc: DocumentId, rx: &mpsc::UnboundedReceiver<DocCommand>) -> bool {
        let mut docs = lock(&self.inner.docs);
        if rx.is_empty() {
            docs.remove(&doc);
            true
        } else {
            false
        }
    }

    /// Stops every document task (each finishes the command it is on, so no
    /// write is cut in half) and waits for them and for connection tasks.
    pub async fn shutdown(&self) {
        {
            let docs = lock(&self.inner.docs);
            for tx in docs.values() {
                let _ = tx.send(DocCommand::Stop);
            }
        }
        self.inner.tasks.close();
        self.inner.tasks.wait().await;
    }
}
