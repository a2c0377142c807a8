//! The storage seam: what the relay and a device need from a document
//! store, as a trait any backend can implement.
//!
//! The backends that come next are asynchronous by nature (PostgreSQL on a
//! district hub, IndexedDB in a browser), so every method returns a future;
//! SQLite implements it by doing the work before returning a ready future
//! ([`SqliteBackend`](crate::SqliteBackend)), or on a blocking thread (the
//! relay's adapter). Nothing here needs tokio.
//!
//! # Two traits, for Send
//!
//! A browser's futures are not `Send` (IndexedDB lives on one thread, behind
//! `JsValue`s), while the relay spawns its document tasks on a multi-thread
//! runtime and needs `Send` futures. So, as `trait_variant` would generate:
//!
//! - [`DocumentStore`] is the one native and server backends implement;
//!   its futures are `Send` and it is `Send + Sync`.
//! - [`LocalDocumentStore`] has the same methods without `Send` bounds; a
//!   browser backend implements it, and every [`DocumentStore`] is one too
//!   (a blanket impl).
//!
//! Code that runs everywhere (the [`conformance`](crate::conformance) suite,
//! [`compaction::compact_if_due`](crate::compaction::compact_if_due), a
//! sync loop a browser shares) is generic over [`LocalDocumentStore`]; code
//! that spawns on tokio asks for [`DocumentStore`].
//!
//! # The contract
//!
//! Writes are durable when their future resolves `Ok`: a crash after that
//! loses nothing. Each write is atomic: a failed one leaves the store as it
//! was. The conformance suite checks all of this for any backend.

use std::future::Future;

use linli_protocol::DocumentId;
use sha2::{Digest, Sha256};

use crate::StoreError;

/// The key of a stored chunk: the hex SHA-256 of its bytes, so storing the
/// same bytes twice keeps one chunk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChunkHash(String);

impl ChunkHash {
    /// The hash of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        ChunkHash(hex::encode(Sha256::digest(bytes)))
    }

    /// A hash as stored, in lowercase hex (backends read it back with this).
    pub fn from_hex(hex: String) -> Self {
        ChunkHash(hex)
    }

    /// The hash in lowercase hex.
    pub fn as_hex(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ChunkHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a chunk holds a whole document or changes saved since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChunkKind {
    /// A full `save()` of the document.
    Snapshot,
    /// Changes (`save_incremental()`, `save_after()` or a sync message's).
    Incremental,
}

/// One stored piece of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub hash: ChunkHash,
    pub kind: ChunkKind,
    pub bytes: Vec<u8>,
}

/// Who stored a change, for the relay's audit log: written in the same
/// transaction as the change, so a change is never stored unattributed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    /// The hex hashes of the automerge changes in the appended bytes.
    pub change_hashes: Vec<String>,
    /// The name of the token the change came in with (never the token).
    pub token_name: String,
    /// Milliseconds since the epoch.
    pub at: i64,
}

/// A position in a store's sequence of document changes. Opaque: get one
/// from [`LocalDocumentStore::changed_since`] and hand it back next time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ChangeCursor(u64);

impl ChangeCursor {
    /// Before every change: `changed_since(START)` names every document.
    pub const START: ChangeCursor = ChangeCursor(0);

    /// The cursor as a number, to keep it across restarts.
    pub fn to_u64(self) -> u64 {
        self.0
    }

    /// A cursor kept with [`ChangeCursor::to_u64`].
    pub fn from_u64(n: u64) -> Self {
        ChangeCursor(n)
    }
}

/// The answer to "what changed since": which documents, and where to ask
/// from next time.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangedDocs {
    /// Documents whose chunks changed after the cursor asked about
    /// (appended, snapshotted or deleted), oldest change first, each once.
    pub docs: Vec<DocumentId>,
    /// Hand this to the next call.
    pub cursor: ChangeCursor,
}

/// A document store whose futures may stay on one thread (a browser's).
/// See the [module docs](self) for how it relates to [`DocumentStore`].
pub trait LocalDocumentStore {
    /// `doc`'s chunks: snapshots first, then incremental chunks in the order
    /// they were stored. Empty when nothing of `doc` is stored. The bytes are
    /// returned as stored, unparsed; [`rebuild`](crate::rebuild) makes the
    /// document of them (and names a chunk that does not parse).
    fn load(&self, doc: DocumentId) -> impl Future<Output = Result<Vec<Chunk>, StoreError>>;

    /// Stores `bytes` as one incremental chunk of `doc`, with its audit row
    /// when `audit` is given (in the same transaction). Bytes already stored
    /// for `doc`, and empty bytes, are stored once / not at all.
    fn append(
        &self,
        doc: DocumentId,
        bytes: Vec<u8>,
        audit: Option<Attribution>,
    ) -> impl Future<Output = Result<(), StoreError>>;

    /// Stores `snapshot` (a `save()`) as a snapshot chunk of `doc` and drops
    /// the chunks in `replaces`, in one transaction. Chunks not listed (say,
    /// appended by another process since the caller loaded) are kept.
    fn write_snapshot(
        &self,
        doc: DocumentId,
        snapshot: Vec<u8>,
        replaces: Vec<ChunkHash>,
    ) -> impl Future<Output = Result<(), StoreError>>;

    /// Every document with at least one stored chunk, in ascending order.
    fn list(&self) -> impl Future<Output = Result<Vec<DocumentId>, StoreError>>;

    /// The documents whose chunks changed after `since`, by any writer
    /// (including other processes on the same store). A cursor never skips
    /// a change committed after it was handed out.
    fn changed_since(
        &self,
        since: ChangeCursor,
    ) -> impl Future<Output = Result<ChangedDocs, StoreError>>;

    /// The store-wide value under `key`, if set.
    fn meta_get(&self, key: &str) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>>;

    /// Sets the store-wide value under `key`.
    fn meta_set(&self, key: &str, value: Vec<u8>) -> impl Future<Output = Result<(), StoreError>>;

    /// `doc`'s value under `key`, if set.
    fn doc_meta_get(
        &self,
        doc: DocumentId,
        key: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>>;

    /// Sets `doc`'s value under `key`. Per-document values alone do not make
    /// a document listed.
    fn doc_meta_set(
        &self,
        doc: DocumentId,
        key: &str,
        value: Vec<u8>,
    ) -> impl Future<Output = Result<(), StoreError>>;
}

/// A document store usable from a multi-thread runtime: the same methods as
/// [`LocalDocumentStore`], with `Send` futures. Native and server backends
/// implement this one.
pub trait DocumentStore: Send + Sync {
    /// See [`LocalDocumentStore::load`].
    fn load(&self, doc: DocumentId) -> impl Future<Output = Result<Vec<Chunk>, StoreError>> + Send;

    /// See [`LocalDocumentStore::append`].
    fn append(
        &self,
        doc: DocumentId,
        bytes: Vec<u8>,
        audit: Option<Attribution>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// See [`LocalDocumentStore::write_snapshot`].
    fn write_snapshot(
        &self,
        doc: DocumentId,
        snapshot: Vec<u8>,
        replaces: Vec<ChunkHash>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// See [`LocalDocumentStore::list`].
    fn list(&self) -> impl Future<Output = Result<Vec<DocumentId>, StoreError>> + Send;

    /// See [`LocalDocumentStore::changed_since`].
    fn changed_since(
        &self,
        since: ChangeCursor,
    ) -> impl Future<Output = Result<ChangedDocs, StoreError>> + Send;

    /// See [`LocalDocumentStore::meta_get`].
    fn meta_get(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send;

    /// See [`LocalDocumentStore::meta_set`].
    fn meta_set(
        &self,
        key: &str,
        value: Vec<u8>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// See [`LocalDocumentStore::doc_meta_get`].
    fn doc_meta_get(
        &self,
        doc: DocumentId,
        key: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send;

    /// See [`LocalDocumentStore::doc_meta_set`].
    fn doc_meta_set(
        &self,
        doc: DocumentId,
        key: &str,
        value: Vec<u8>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl<T: DocumentStore> LocalDocumentStore for T {
    fn load(&self, doc: DocumentId) -> impl Future<Output = Result<Vec<Chunk>, StoreError>> {
        DocumentStore::load(self, doc)
    }

    fn append(
        &self,
        doc: DocumentId,
        bytes: Vec<u8>,
        audit: Option<Attribution>,
    ) -> impl Future<Output = Result<(), StoreError>> {
        DocumentStore::append(self, doc, bytes, audit)
    }

    fn write_snapshot(
        &self,
        doc: DocumentId,
        snapshot: Vec<u8>,
        replaces: Vec<ChunkHash>,
    ) -> impl Future<Output = Result<(), StoreError>> {
        DocumentStore::write_snapshot(self, doc, snapshot, replaces)
    }

    fn list(&self) -> impl Future<Output = Result<Vec<DocumentId>, StoreError>> {
        DocumentStore::list(self)
    }

    fn changed_since(
        &self,
        since: ChangeCursor,
    ) -> impl Future<Output = Result<ChangedDocs, StoreError>> {
        DocumentStore::changed_since(self, since)
    }

    fn meta_get(&self, key: &str) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> {
        DocumentStore::meta_get(self, key)
    }

    fn meta_set(&self, key: &str, value: Vec<u8>) -> impl Future<Output = Result<(), StoreError>> {
        DocumentStore::meta_set(self, key, value)
    }

    fn doc_meta_get(
        &self,
        doc: DocumentId,
        key: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> {
        DocumentStore::doc_meta_get(self, doc, key)
    }

    fn doc_meta_set(
        &self,
        doc: DocumentId,
        key: &str,
        value: Vec<u8>,
    ) -> impl Future<Output = Result<(), StoreError>> {
        DocumentStore::doc_meta_set(self, doc, key, value)
    }
}
