//! [`Client`]: one device's linli data directory, opened.
//!
//! - `documents`: creating, editing, reading and asking for documents;
//! - `settings`: the relay, its token, the directory and the person;
//! - here: opening, identity, events, what is pending, the sync claim.
//!
//! The documents themselves and the locks around them live in
//! [`DeviceStore`]; the sync session reaches them only through
//! [`SyncStore`](crate::sync::SyncStore).

mod documents;
mod settings;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use linli_protocol::{DocumentId, PeerId};
use linli_store::Store;
use tokio::sync::broadcast;

use crate::ClientError;
use crate::clock::Clock;
use crate::device_store::DeviceStore;
use crate::events::DocEvent;
use crate::pending::{Pending, Summary};

/// The file name of the store inside the client's directory.
pub const STORE_FILE: &str = "linli.sqlite";

/// How many local-change notices the sync loop may fall behind before it
/// re-sends every document instead.
const LOCAL_CHANGES_CAPACITY: usize = 1024;

/// A device's linli data: its documents in SQLite, loaded on demand, and the
/// identity it syncs under. Cheap to clone (an `Arc`); every clone is the
/// same client. Methods are synchronous and short (SQLite writes included),
/// so they may be called from async code; the sync loop runs them on
/// blocking threads.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub dir: PathBuf,
    /// The documents and the SQLite store (see its docs for the locks).
    pub store: Arc<DeviceStore>,
    /// Who is editing (a person id), recorded as each change's message.
    pub author: Mutex<Option<String>>,
    /// The time each change made here carries.
    pub clock: Clock,
    /// Tells the sync loop which document changed locally.
    pub local_changes: broadcast::Sender<DocumentId>,
    /// Set while a sync session (connect or sync_until_idle) runs.
    pub syncing: AtomicBool,
}

impl Client {
    /// Opens (creating if needed) the linli directory `dir` and its store
    /// `dir/linli.sqlite`. The peer id, storage id and device prefix are
    /// created on first open and kept in the store. Changes carry the
    /// system clock's time.
    pub fn open(dir: impl AsRef<Path>) -> Result<Client, ClientError> {
        Self::open_with_clock(dir, Clock::system())
    }

    /// [`Client::open`], with the clock whose time each change carries.
    pub fn open_with_clock(dir: impl AsRef<Path>, clock: Clock) -> Result<Client, ClientError> {
        let dir = dir.as_ref().to_path_buf();
        create_private_dir(&dir)?;
        let store = DeviceStore::new(Store::open(&dir.join(STORE_FILE))?)?;
        tracing::debug!(dir = %dir.display(), peer = %store.identity().peer_id, "client opened");
        Ok(Client {
            inner: Arc::new(Inner {
                dir,
                store: Arc::new(store),
                author: Mutex::new(None),
                clock,
                local_changes: broadcast::channel(LOCAL_CHANGES_CAPACITY).0,
                syncing: AtomicBool::new(false),
            }),
        })
    }

    /// The directory this client was opened on.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The peer id this device sends in `join`.
    pub fn peer_id(&self) -> &PeerId {
        &self.inner.store.identity().peer_id
    }

    /// The first bytes of every automerge actor this device edits with.
    pub(crate) fn device_prefix(&self) -> Vec<u8> {
        self.inner.store.identity().device_prefix.to_vec()
    }

    /// The storage id this device announces in its peer metadata.
    pub fn storage_id(&self) -> &str {
        &self.inner.store.identity().storage_id
    }

    /// Events about `doc`: local changes, changes from the relay, relay
    /// confirmations and `doc-unavailable` answers.
    pub fn subscribe(&self, doc: DocumentId) -> broadcast::Receiver<DocEvent> {
        self.inner.store.events().subscribe(doc)
    }

    /// Events about every document.
    pub fn subscribe_all(&self) -> broadcast::Receiver<DocEvent> {
        self.inner.store.events().subscribe_all()
    }

    /// This device's changes to `doc` that the relay has not confirmed
    /// holding, as known to the store (so another process's sync counts).
    /// A document that is not here has nothing pending.
    pub fn pending(&self, doc: DocumentId) -> Result<Pending, ClientError> {
        self.inner.store.pending(doc)
    }

    /// Pending changes across every local document, the relay URL and the
    /// documents still wanted.
    ///
    /// A document that cannot be loaded (corrupt) is logged and skipped.
    pub fn summary(&self) -> Result<Summary, ClientError> {
        let mut summary = Summary {
            relay: self.relay()?,
            ..Summary::default()
        };
        let docs = self.inner.store.list()?;
        let wanted = self.inner.store.wanted()?;
        summary.wanted = wanted.into_iter().filter(|d| !docs.contains(d)).collect();
        for doc in docs {
            match self.pending(doc) {
                Ok(p) => summary.add_document(doc, p),
                Err(ClientError::Store(e)) => {
                    tracing::error!(%doc, error = %e, "cannot read document for the summary");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(summary)
    }

    /// Wakes the sync loop for `doc`.
    pub(crate) fn notify_local(&self, doc: DocumentId) {
        // Fails only when no sync loop is listening; it will send
        // everything when it connects.
        let _ = self.inner.local_changes.send(doc);
    }

    /// Claims the right to run a sync session; released on drop.
    pub(crate) fn claim_sync(&self) -> Result<SyncClaim, ClientError> {
        if self.inner.syncing.swap(true, Ordering::AcqRel) {
            return Err(ClientError::AlreadySyncing);
        }
        Ok(SyncClaim {
            client: self.clone(),
        })
    }
}

/// Held by a running sync session; see [`Client::claim_sync`].
pub(crate) struct SyncClaim {
    client: Client,
}

impl Drop for SyncClaim {
    fn drop(&mut self) {
        self.client.inner.syncing.store(false, Ordering::Release);
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("dir", &self.inner.dir)
            .field("peer_id", &self.inner.store.identity().peer_id)
            .finish_non_exhaustive()
    }
}

fn create_private_dir(dir: &Path) -> Result<(), ClientError> {
    linli_store::create_private_dir(dir).map_err(|source| ClientError::CreateDir {
        path: dir.to_owned(),
        source,
    })
}
