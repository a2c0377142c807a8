//! Storage of automerge documents, used by both the linli relay and the
//! linli client: the storage seam ([`DocumentStore`]) every backend
//! implements, its [`conformance`] suite, SQLite ([`Store`], and
//! [`SqliteBackend`] as the trait), and [`MemoryStore`] for tests.
//!
//! # The seam
//!
//! [`DocumentStore`] (and [`LocalDocumentStore`], its form for a browser's
//! non-`Send` futures) is what the relay and a device need: load a
//! document's chunks, append changes (with their audit row on the relay),
//! write a snapshot and drop what it replaces, list documents, store-wide
//! and per-document metadata, and "which documents changed since"
//! ([`ChangeCursor`]). Its methods are async so PostgreSQL and IndexedDB
//! fit; nothing needs tokio. [`rebuild`] makes a document of loaded chunks
//! for any backend, and [`compaction`] decides when to snapshot from chunk
//! counts alone, with the caller's own `save()` bytes.
//!
//! Errors are one [`StoreError`]; [`StoreError::kind`] sorts them into a
//! small [`ErrorKind`] (not found, corrupt, full, backend) the same for
//! every backend.
//!
//! # SQLite
//!
//! A [`Store`] keeps each document as chunks, the way automerge-repo's storage
//! does: snapshot chunks (a full `save()`) and incremental chunks (the
//! changes saved since), each keyed by the hex SHA-256 of its bytes.
//!
//! - [`Store::append`] stores one incremental chunk, durably: SQLite runs in
//!   WAL mode with `synchronous=FULL`, so when a write returns `Ok` it
//!   survives a crash or power loss. Appending the same bytes twice is a no-op.
//! - [`Store::load`] rebuilds a document from its chunks. A chunk that does
//!   not parse gives [`StoreError::Corrupt`] naming that document; other
//!   documents are unaffected.
//! - [`Store::compact_if_needed`] and [`Store::save_snapshot`] replace a
//!   document's chunks with one snapshot in a single transaction; the
//!   policy is in the [`compaction`] module.
//! - [`Store::meta_get`]/[`Store::meta_set`] hold store-wide values (this
//!   peer's id, the relay URL), [`Store::doc_meta_get`]/[`Store::doc_meta_set`]
//!   per-document ones (the heads the relay has confirmed).
//!
//! The relay's store ([`Store::open_relay`]) also keeps its access tokens
//! ([`TokenRecord`], hashes only) and its audit log
//! ([`Store::append_audited`], [`Store::audit`]); a device's
//! ([`Store::open`]) has no such tables.
//!
//! The schema is versioned with `PRAGMA user_version` and migrated forward on
//! open ([`SCHEMA_VERSION`]); a file from a newer linli is refused with
//! [`StoreError::SchemaTooNew`]. SQLITE_FULL surfaces as
//! [`StoreError::DiskFull`].
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use automerge::{AutoCommit, ROOT, transaction::Transactable};
//! use linli_store::Store;
//!
//! let mut store = Store::open(std::path::Path::new("data/linli.sqlite"))?;
//! let doc_id = linli_protocol::DocumentId::from_bytes([7; 16]);
//! let mut doc = AutoCommit::new();
//! doc.put(ROOT, "name", "Building 3")?;
//! store.append(&doc_id, &doc.save_incremental())?;
//! store.compact_if_needed(&doc_id, doc.document())?;
//! assert!(store.load(&doc_id)?.is_some());
//! # Ok(()) }
//! ```

mod audit;
mod backup;
mod batch;
mod changes;
mod chunks;
pub mod compaction;
pub mod conformance;
mod document_store;
mod error;
mod health;
mod keys;
mod load;
mod memory_backend;
mod meta;
mod schema;
mod sqlite_backend;
mod store;
#[cfg(test)]
mod test_util;
mod tokens;

pub use audit::{AuditEntry, DocActivity, TokenActivity};
pub use batch::Append;
pub use chunks::DocStats;
pub use document_store::{
    Attribution, ChangeCursor, ChangedDocs, Chunk, ChunkHash, ChunkKind, DocumentStore,
    LocalDocumentStore,
};
pub use error::{BackendSource, ErrorKind, StoreError};
pub use health::WRITABLE_HEADROOM_BYTES;
pub use load::rebuild;
pub use memory_backend::MemoryStore;
pub use schema::SCHEMA_VERSION;
pub use sqlite_backend::SqliteBackend;
pub use store::{Store, create_private_dir};
pub use tokens::TokenRecord;
