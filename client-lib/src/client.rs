//! [`Client`]: one device's linli data directory, opened.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use linli_protocol::{DocumentId, PeerId};
use linli_store::Store;
use tokio::sync::broadcast;

use crate::ClientError;
use crate::clock::Clock;
use crate::events::{DocEvent, Events};
use crate::identity::Identity;
use crate::pending::{self, Pending, Summary};
use crate::relay::normalize_url;
use crate::state::{self, RELAY_URL_KEY, State};

/// Meta key of the saved relay token.
const RELAY_TOKEN_KEY: &str = "relay_token";

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
    pub identity: Identity,
    pub state: Mutex<State>,
    pub events: Events,
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
        let mut store = Store::open(&dir.join(STORE_FILE))?;
        let identity = Identity::load_or_create(&mut store)?;
        let outside_version = store.data_version()?;
        let state = State {
            store,
            docs: HashMap::new(),
            peer_id: identity.peer_id.clone(),
            actor: identity.new_actor(),
            author: None,
            outside_version,
        };
        tracing::debug!(dir = %dir.display(), peer = %identity.peer_id, "client opened");
        Ok(Client {
            inner: Arc::new(Inner {
                dir,
                identity,
                clock,
                state: Mutex::new(state),
                events: Events::new(),
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
        &self.inner.identity.peer_id
    }

    /// The first bytes of every automerge actor this device edits with.
    pub(crate) fn device_prefix(&self) -> Vec<u8> {
        self.inner.identity.device_prefix.to_vec()
    }

    /// The storage id this device announces in its peer metadata.
    pub fn storage_id(&self) -> &str {
        &self.inner.identity.storage_id
    }

    /// Remembers `url` (a `ws://` or `wss://` URL; a URL without a path gets
    /// `/sync`) as this store's relay and returns it as stored.
    pub fn set_relay(&self, url: &str) -> Result<String, ClientError> {
        let url = normalize_url(url)?;
        self.lock().store.meta_set(RELAY_URL_KEY, url.as_bytes())?;
        Ok(url)
    }

    /// Remembers this device's relay token in the local store (an
    /// owner-only file), so `linli sync` needs no token on its command line.
    pub fn set_token(&self, token: &str) -> Result<(), ClientError> {
        self.lock()
            .store
            .meta_set(RELAY_TOKEN_KEY, token.as_bytes())?;
        Ok(())
    }

    /// The token saved with [`Client::set_token`], if any.
    pub fn token(&self) -> Result<Option<String>, ClientError> {
        let stored = self.lock().store.meta_get(RELAY_TOKEN_KEY)?;
        Ok(stored.and_then(|b| String::from_utf8(b).ok()))
    }

    /// The relay URL set with [`Client::set_relay`], if any.
    pub fn relay(&self) -> Result<Option<String>, ClientError> {
        let stored = self.lock().store.meta_get(RELAY_URL_KEY)?;
        stored
            .map(|bytes| {
                String::from_utf8(bytes).map_err(|_| ClientError::BadMeta {
                    key: RELAY_URL_KEY.to_owned(),
                    reason: "not UTF-8 text".to_owned(),
                })
            })
            .transpose()
    }

    /// Events about `doc`: local changes, changes from the relay, relay
    /// confirmations and `doc-unavailable` answers.
    pub fn subscribe(&self, doc: DocumentId) -> broadcast::Receiver<DocEvent> {
        self.inner.events.subscribe(doc)
    }

    /// Events about every document.
    pub fn subscribe_all(&self) -> broadcast::Receiver<DocEvent> {
        self.inner.events.subscribe_all()
    }

    /// This device's changes to `doc` that the relay has not confirmed
    /// holding, as known to the store (so another process's sync counts).
    /// A document that is not here has nothing pending.
    pub fn pending(&self, doc: DocumentId) -> Result<Pending, ClientError> {
        let state = self.lock();
        let confirmed = state::stored_relay_heads(&state.store, &doc)?;
        let is_ours = |a: &automerge::ActorId| self.inner.identity.is_ours(a);
        if let Some(loaded) = state.docs.get(&doc) {
            return Ok(pending::count(loaded.sync.doc(), &confirmed, is_ours));
        }
        Ok(match state.store.load(&doc)? {
            Some(am) => pending::count(&am, &confirmed, is_ours),
            None => Pending::default(),
        })
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
        let (docs, wanted) = {
            let state = self.lock();
            (state.store.list()?, state.wanted()?)
        };
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

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // Every store write is one SQLite transaction and a panicking edit
        // closure rolls its automerge transaction back, so the state behind
        // a poisoned lock is still consistent.
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
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
            .field("peer_id", &self.inner.identity.peer_id)
            .finish_non_exhaustive()
    }
}

fn create_private_dir(dir: &Path) -> Result<(), ClientError> {
    linli_store::create_private_dir(dir).map_err(|source| ClientError::CreateDir {
        path: dir.to_owned(),
        source,
    })
}
