//! The registry of live connections (by peer id) and loaded documents (by
//! document id). Each loaded document is owned by one [`doc_actor`] task;
//! every message for it goes through [`Hub::send`].
//!
//! [`doc_actor`]: crate::doc_actor

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use linli_protocol::{DocumentId, PeerId};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::access::DirectoryIndex;
use crate::doc_actor::{self, DocCommand};
use crate::storage::Storage;

/// A live connection bound to a peer id.
struct Bound {
    conn_id: u64,
    token: String,
    close: CancellationToken,
}

#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    relay_id: PeerId,
    storage: Storage,
    idle_evict: Duration,
    docs: Mutex<HashMap<DocumentId, mpsc::UnboundedSender<DocCommand>>>,
    peers: Mutex<HashMap<PeerId, Bound>>,
    index: RwLock<Arc<DirectoryIndex>>,
    directory: Option<DocumentId>,
    next_conn: AtomicU64,
    tasks: TaskTracker,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing here can be left half-updated by a panic: every critical
    // section is a single map operation.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Hub {
    pub fn new(
        relay_id: PeerId,
        storage: Storage,
        idle_evict: Duration,
        directory: Option<DocumentId>,
        index: DirectoryIndex,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                index: RwLock::new(Arc::new(index)),
                directory,
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

    /// Binds `peer` to a new connection made with `token`, closing any older
    /// connection of the same peer id and token (a device reconnecting).
    /// A peer id held by a connection of *another* token is refused: nobody
    /// can push a device off the relay by claiming its id.
    pub fn bind_peer(&self, peer: &PeerId, token: &str) -> Option<(u64, CancellationToken)> {
        let mut peers = lock(&self.inner.peers);
        if peers.get(peer).is_some_and(|b| b.token != token) {
            return None;
        }
        let conn_id = self.inner.next_conn.fetch_add(1, Ordering::Relaxed);
        let close = CancellationToken::new();
        let bound = Bound {
            conn_id,
            token: token.to_owned(),
            close: close.clone(),
        };
        if let Some(old) = peers.insert(peer.clone(), bound) {
            old.close.cancel();
        }
        Some((conn_id, close))
    }

    /// Forgets `peer` if it is still bound to `conn_id`.
    pub fn unbind_peer(&self, peer: &PeerId, conn_id: u64) {
        let mut peers = lock(&self.inner.peers);
        if peers.get(peer).is_some_and(|b| b.conn_id == conn_id) {
            peers.remove(peer);
        }
    }

    /// Closes every connection made with the named token.
    pub fn close_token(&self, token: &str) -> usize {
        let peers = lock(&self.inner.peers);
        let mut n = 0;
        for b in peers.values().filter(|b| b.token == token) {
            b.close.cancel();
            n += 1;
        }
        n
    }

    /// Live connections made with the named token.
    pub fn connections_of(&self, token: &str) -> usize {
        lock(&self.inner.peers)
            .values()
            .filter(|b| b.token == token)
            .count()
    }

    /// The current directory index (cheap to clone: an `Arc`).
    pub fn index(&self) -> Arc<DirectoryIndex> {
        self.inner
            .index
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The street's directory document, if the relay knows it.
    pub fn directory(&self) -> Option<DocumentId> {
        self.inner.directory
    }

    pub fn set_index(&self, index: DirectoryIndex) {
        *self.inner.index.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(index);
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
