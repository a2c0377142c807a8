//! [`DeviceStore`]: the device's SQLite store and the documents open from
//! it, with the locking rules that keep "saved" meaning "on disk".
//!
//! # Locks
//!
//! - The store lock guards the one SQLite connection (a connection cannot
//!   be shared between threads) for exactly one store call. Metadata
//!   (relay URL, token, wanted list) takes only this lock.
//! - Each open document has its own lock, held while the document changes
//!   in memory *and* those changes are written to SQLite. This one must be
//!   held across the write: whoever could see the document in between
//!   (the sync session producing a message, a reader) would otherwise
//!   advertise heads that are not stored yet, and a crash would lose what
//!   the relay was told exists. Because it is per document, an edit of one
//!   document never waits for another document's write, only for the
//!   connection.
//! - The map of open documents is locked only to find or add an entry,
//!   never across SQLite.
//!
//! Order: a document's lock, then the store lock, then the outside-writes
//! cursor. Nothing holds any of
//! them across an `.await`.
//!
//! Everything the sync session needs goes through
//! [`SyncStore`](crate::sync::SyncStore), which this type implements.

mod open_doc;
mod outside;
mod wanted;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use automerge::{ActorId, Automerge, ChangeHash};
use linli_protocol::{DocSync, DocumentId};
use linli_store::{Store, StoreError};

use crate::events::{DocEventKind, Events};
use crate::identity::Identity;
use crate::pending::{self, Pending};
use crate::{ClientError, heads, meta_keys};

pub(crate) use open_doc::OpenDoc;
use outside::Outside;

/// How to find a document for [`DeviceStore::with_doc`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Load {
    /// Only if it is open already (never touches SQLite).
    IfOpen,
    /// Open it from the store if needed; absent when not stored.
    Stored,
    /// Open it from the store, or start it empty (to be fetched).
    OrEmpty,
}

/// One open document's place: `None` until loaded, or after it was dropped
/// because memory may hold changes the store does not.
type Slot = Arc<Mutex<Option<OpenDoc>>>;

pub(crate) struct DeviceStore {
    store: Mutex<Store>,
    open: Mutex<HashMap<DocumentId, Slot>>,
    identity: Identity,
    /// The actor this process edits with (see [`Identity::new_actor`]).
    actor: ActorId,
    events: Events,
    outside: Mutex<Outside>,
    /// Documents read from SQLite so far (opened or reloaded): how much a
    /// running loop costs, and what the tests watch.
    loads: AtomicU64,
}

impl DeviceStore {
    pub(crate) fn new(mut store: Store) -> Result<Self, ClientError> {
        let identity = Identity::load_or_create(&mut store)?;
        let outside = Outside::start(&store)?;
        Ok(Self {
            actor: identity.new_actor(),
            identity,
            store: Mutex::new(store),
            open: Mutex::new(HashMap::new()),
            events: Events::new(),
            outside: Mutex::new(outside),
            loads: AtomicU64::new(0),
        })
    }

    pub(crate) fn identity(&self) -> &Identity {
        &self.identity
    }

    pub(crate) fn actor(&self) -> &ActorId {
        &self.actor
    }

    pub(crate) fn events(&self) -> &Events {
        &self.events
    }

    /// Documents read from SQLite so far.
    #[cfg(test)]
    pub(crate) fn loads(&self) -> u64 {
        self.loads.load(Ordering::Relaxed)
    }

    /// Runs one call on the SQLite connection.
    pub(crate) fn with_store<R>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<R, StoreError>,
    ) -> Result<R, ClientError> {
        Ok(f(&mut lock(&self.store))?)
    }

    pub(crate) fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>, ClientError> {
        self.with_store(|s| s.meta_get(key))
    }

    pub(crate) fn meta_set(&self, key: &str, value: &[u8]) -> Result<(), ClientError> {
        self.with_store(|s| s.meta_set(key, value))
    }

    /// Runs `step` on `doc` with the document's lock held, opening it as
    /// `load` says; `None` when there is no such document.
    ///
    /// When `step` fails the document is dropped from memory (the next use
    /// reloads it from the store): its memory may hold changes that could
    /// not be stored, and nothing may send those as if they were saved.
    pub(crate) fn with_doc<R>(
        &self,
        doc: DocumentId,
        load: Load,
        step: impl FnOnce(&mut OpenDoc) -> Result<R, ClientError>,
    ) -> Result<Option<R>, ClientError> {
        let Some(slot) = self.slot(doc, load != Load::IfOpen) else {
            return Ok(None);
        };
        let mut guard = lock(&slot);
        if guard.is_none() {
            let stored = match load {
                Load::IfOpen => return Ok(None),
                Load::Stored => self.load(doc)?,
                Load::OrEmpty => Some(self.load(doc)?.unwrap_or_default()),
            };
            let Some(am) = stored else {
                return Ok(None);
            };
            *guard = Some(self.open_doc(doc, am)?);
        }
        let Some(open) = guard.as_mut() else {
            return Ok(None);
        };
        match step(open) {
            Ok(r) => Ok(Some(r)),
            Err(e) => {
                *guard = None;
                Err(e)
            }
        }
    }

    /// Puts a document just created on this device (and stored) in memory,
    /// unless a sync session opened it from the store meanwhile: that copy
    /// holds the same changes, and the session's state too.
    pub(crate) fn insert(&self, doc: DocumentId, am: Automerge) -> Result<(), ClientError> {
        let slot = self.slot(doc, true).unwrap_or_default();
        let mut guard = lock(&slot);
        if guard.is_none() {
            *guard = Some(self.open_doc(doc, am)?);
        }
        Ok(())
    }

    /// Runs `step` on every open document.
    pub(crate) fn for_each_open(&self, mut step: impl FnMut(DocumentId, &mut OpenDoc)) {
        for (doc, slot) in self.slots() {
            if let Some(open) = lock(&slot).as_mut() {
                step(doc, open);
            }
        }
    }

    /// Open documents that have data (not only asked for).
    pub(crate) fn open_with_data(&self) -> Vec<DocumentId> {
        let mut out = Vec::new();
        self.for_each_open(|doc, open| {
            if !open.sync.is_empty() {
                out.push(doc);
            }
        });
        out
    }

    /// Drops `doc` from memory when it holds no data (asked for, never
    /// arrived).
    pub(crate) fn close_if_empty(&self, doc: DocumentId) {
        if let Some(slot) = self.slot(doc, false) {
            let mut guard = lock(&slot);
            if guard.as_ref().is_some_and(|o| o.sync.is_empty()) {
                *guard = None;
            }
        }
    }

    /// Whether `doc` has data on this device.
    pub(crate) fn contains(&self, doc: DocumentId) -> Result<bool, ClientError> {
        let open = self.with_doc(doc, Load::IfOpen, |o| Ok(!o.sync.is_empty()))?;
        if open == Some(true) {
            return Ok(true);
        }
        self.with_store(|s| s.contains(&doc))
    }

    /// Every stored document, in id order.
    pub(crate) fn list(&self) -> Result<Vec<DocumentId>, ClientError> {
        self.with_store(|s| s.list())
    }

    /// Stores a document created on this device (nobody else knows its id
    /// yet, so it needs no document lock): durable when this returns.
    pub(crate) fn store_new(&self, doc: DocumentId, am: &Automerge) -> Result<(), ClientError> {
        let mut store = lock(&self.store);
        store.append(&doc, &am.save())?;
        compact(&mut store, doc, am);
        self.after_own_write(&store);
        Ok(())
    }

    /// Stores `changes` (already applied to `open`, whose lock the caller
    /// holds): durable when this returns. Then compacts if the store's
    /// policy says so.
    pub(crate) fn save_changes(
        &self,
        doc: DocumentId,
        open: &OpenDoc,
        changes: &[u8],
    ) -> Result<(), ClientError> {
        let mut store = lock(&self.store);
        store.append(&doc, changes)?;
        compact(&mut store, doc, open.sync.doc());
        self.after_own_write(&store);
        Ok(())
    }

    /// The heads the relay last confirmed for `doc`, as stored (so another
    /// process's sync counts); empty when none or damaged.
    pub(crate) fn stored_confirmed(&self, doc: DocumentId) -> Result<Vec<ChangeHash>, ClientError> {
        Ok(match self.with_store(|s| s.doc_meta_get(&doc, meta_keys::RELAY_HEADS))? {
            None => Vec::new(),
            Some(bytes) => heads::decode(&bytes).unwrap_or_else(|| {
                tracing::warn!(%doc, "stored relay heads are damaged; counting all changes as pending");
                Vec::new()
            }),
        })
    }

    /// Records `heads` as confirmed by the relay for `doc`.
    pub(crate) fn save_confirmed(
        &self,
        doc: DocumentId,
        heads: &[ChangeHash],
    ) -> Result<(), ClientError> {
        self.with_store(|s| s.doc_meta_set(&doc, meta_keys::RELAY_HEADS, &heads::encode(heads)))
    }

    /// Whether the relay said this device may only read `doc`.
    pub(crate) fn is_read_only(&self, doc: DocumentId) -> Result<bool, ClientError> {
        Ok(self
            .with_store(|s| s.doc_meta_get(&doc, meta_keys::READ_ONLY))?
            .is_some())
    }

    /// Remembers that the relay lets this device only read `doc`.
    pub(crate) fn mark_read_only(&self, doc: DocumentId) -> Result<(), ClientError> {
        self.with_store(|s| {
            if s.doc_meta_get(&doc, meta_keys::READ_ONLY)?.is_none() {
                s.doc_meta_set(&doc, meta_keys::READ_ONLY, b"1")?;
            }
            Ok(())
        })
    }

    /// This device's changes to `doc` that the relay has not confirmed,
    /// counted against the confirmed heads *as stored*. The one place that
    /// says what "saved on the relay" means (with [`pending::count`]).
    pub(crate) fn pending(&self, doc: DocumentId) -> Result<Pending, ClientError> {
        let confirmed = self.stored_confirmed(doc)?;
        let is_ours = |a: &ActorId| self.identity.is_ours(a);
        let open = self.with_doc(doc, Load::IfOpen, |o| {
            Ok(pending::count(o.sync.doc(), &confirmed, is_ours))
        })?;
        if let Some(p) = open {
            return Ok(p);
        }
        Ok(match self.load(doc)? {
            Some(am) => pending::count(&am, &confirmed, is_ours),
            None => Pending::default(),
        })
    }

    /// Tells subscribers about `doc`.
    pub(crate) fn emit(&self, doc: DocumentId, kind: DocEventKind, heads: Vec<ChangeHash>) {
        self.events.emit(doc, kind, heads);
    }

    fn load(&self, doc: DocumentId) -> Result<Option<Automerge>, ClientError> {
        self.loads.fetch_add(1, Ordering::Relaxed);
        self.with_store(|s| s.load(&doc))
    }

    fn open_doc(&self, doc: DocumentId, mut am: Automerge) -> Result<OpenDoc, ClientError> {
        am.set_actor(self.actor.clone());
        Ok(OpenDoc {
            sync: DocSync::new(doc, self.identity.peer_id.clone(), am).requesting(),
            confirmed: self.stored_confirmed(doc)?,
        })
    }

    /// `doc`'s slot, added when `add` and missing.
    fn slot(&self, doc: DocumentId, add: bool) -> Option<Slot> {
        let mut open = lock(&self.open);
        match open.get(&doc) {
            Some(slot) => Some(slot.clone()),
            None if add => Some(open.entry(doc).or_default().clone()),
            None => None,
        }
    }

    fn slots(&self) -> Vec<(DocumentId, Slot)> {
        lock(&self.open)
            .iter()
            .map(|(doc, slot)| (*doc, slot.clone()))
            .collect()
    }
}

/// Compacts `doc` if the store's policy says so. The change is already
/// durable, so a failure here is only logged.
fn compact(store: &mut Store, doc: DocumentId, am: &Automerge) {
    if let Err(e) = store.compact_if_needed(&doc, am) {
        tracing::warn!(%doc, error = %e, "compaction failed; the document stays as stored");
    }
}

/// Every store write is one SQLite transaction, and a panicking edit rolls
/// its automerge transaction back, so what a poisoned lock guards is still
/// consistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
