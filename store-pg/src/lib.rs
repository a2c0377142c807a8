//! PostgreSQL behind linli's storage seam, for a district hub that many
//! streets feed and that may run as several processes on one database.
//!
//! [`PgStore`] implements [`linli_store::DocumentStore`] with the same
//! meaning as SQLite's store, and passes the same
//! [`conformance`](linli_store::conformance) suite:
//!
//! - a document is its chunks, each keyed by the hex SHA-256 of its bytes;
//!   a snapshot replaces the chunks it lists, in one transaction;
//! - an append and its audit rows are one transaction;
//! - a write's future resolves `Ok` only after PostgreSQL acknowledged its
//!   `COMMIT`, with `synchronous_commit=on` forced on every connection, so
//!   nothing is advertised before it is durable;
//! - "what changed since" is a store-wide sequence, stamped in the writing
//!   transaction (see [`changes`]).
//!
//! Every stored append also sends a `NOTIFY` on [`CHUNKS_CHANNEL`] with the
//! document's id, in the same transaction (so it is delivered only if the
//! append commits): another hub process on the same database `LISTEN`s and
//! pushes the new chunks to its own peers.
//!
//! The schema is versioned in a `schema_version` table and migrated forward
//! when a store is opened ([`SCHEMA_VERSION`]); a database from a newer linli
//! is refused with [`StoreError::SchemaTooNew`](linli_store::StoreError).
//!
//! ```no_run
//! # async fn example() -> Result<(), linli_store::StoreError> {
//! use linli_store::DocumentStore;
//! use linli_store_pg::PgStore;
//!
//! let store = PgStore::connect("postgres://linli@db.example/hub").await?;
//! let doc = linli_protocol::DocumentId::from_bytes([7; 16]);
//! let chunks = store.load(doc).await?;
//! # let _ = chunks; Ok(()) }
//! ```
//!
//! [`test_cluster`] starts a throwaway PostgreSQL for tests (or uses the one
//! named by `LINLI_TEST_POSTGRES`).

pub mod changes;
mod documents;
mod error;
pub mod listen;
mod relay;
mod schema;
mod store;
pub mod test_cluster;

pub use listen::{ChangeListener, Notice};
pub use schema::SCHEMA_VERSION;
pub use store::PgStore;

/// The channel every stored append notifies, with the document id (its
/// base58 form) as payload.
pub const CHUNKS_CHANNEL: &str = "linli_chunks";

/// The channel notified when tokens or store-wide settings change, so every
/// hub process reloads them (the payload says what changed).
pub const ADMIN_CHANNEL: &str = "linli_admin";
