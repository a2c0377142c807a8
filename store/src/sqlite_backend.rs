//! SQLite behind the [`DocumentStore`] trait, for callers that may block.

use std::future::{Future, Ready, ready};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use linli_protocol::DocumentId;

use crate::{
    Attribution, ChangeCursor, ChangedDocs, Chunk, ChunkHash, DocumentStore, Store, StoreError,
};

/// A [`Store`] as a [`DocumentStore`] that does each call's work on the
/// calling thread, before returning an already-finished future.
///
/// For callers for whom a blocked thread is fine: the `linli` CLI, tests,
/// the conformance suite. The relay instead runs the same [`Store`] calls on
/// a blocking thread (its own adapter), so its websocket tasks never wait on
/// the disk.
#[derive(Debug)]
pub struct SqliteBackend {
    store: Mutex<Store>,
}

impl SqliteBackend {
    /// Wraps an open store.
    pub fn new(store: Store) -> Self {
        SqliteBackend {
            store: Mutex::new(store),
        }
    }

    /// Opens a device's store at `path` (see [`Store::open`]).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Store::open(path).map(Self::new)
    }

    /// The store, for what the trait does not cover (tokens, the audit log).
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        // Every write is one transaction, so a panic while holding the lock
        // cannot leave SQLite half-written: a poisoned lock is usable.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn with<R>(&self, f: impl FnOnce(&mut Store) -> R) -> Ready<R> {
        ready(f(&mut self.lock()))
    }
}

impl DocumentStore for SqliteBackend {
    fn load(&self, doc: DocumentId) -> impl Future<Output = Result<Vec<Chunk>, StoreError>> + Send {
        self.with(|s| s.load_chunks(&doc))
    }

    fn append(
        &self,
        doc: DocumentId,
        bytes: Vec<u8>,
        audit: Option<Attribution>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.with(|s| s.append_chunk(&doc, &bytes, audit.as_ref()))
    }

    fn write_snapshot(
        &self,
        doc: DocumentId,
        snapshot: Vec<u8>,
        replaces: Vec<ChunkHash>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.with(|s| s.write_snapshot(&doc, &snapshot, &replaces))
    }

    fn list(&self) -> impl Future<Output = Result<Vec<DocumentId>, StoreError>> + Send {
        self.with(|s| s.list())
    }

    fn changed_since(
        &self,
        since: ChangeCursor,
    ) -> impl Future<Output = Result<ChangedDocs, StoreError>> + Send {
        self.with(|s| s.changed_since(since))
    }

    fn meta_get(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send {
        self.with(|s| s.meta_get(key))
    }

    fn meta_set(
        &self,
        key: &str,
        value: Vec<u8>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.with(|s| s.meta_set(key, &value))
    }

    fn doc_meta_get(
        &self,
        doc: DocumentId,
        key: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send {
        self.with(|s| s.doc_meta_get(&doc, key))
    }

    fn doc_meta_set(
        &self,
        doc: DocumentId,
        key: &str,
        value: Vec<u8>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.with(|s| s.doc_meta_set(&doc, key, &value))
    }
}
