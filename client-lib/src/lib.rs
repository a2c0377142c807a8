//! linli's device side: documents kept in a local SQLite file, edited
//! offline, and synced through a linli relay (or any automerge-repo sync
//! server) over the automerge-repo websocket protocol.
//!
//! # The main types
//!
//! - [`Client`]: one data directory (`linli.sqlite` inside it), opened with
//!   [`Client::open`]. Cheap to clone. Documents are loaded from SQLite on
//!   demand and held in memory as [`DocSync`](linli_protocol::DocSync)
//!   sessions.
//!   - [`Client::create`] / [`Client::change`] edit: the change is committed
//!     to SQLite before the call returns ("saved" means on disk), then
//!     subscribers are told and the sync loop is woken.
//!   - [`Client::read`] reads; [`Client::want`] asks for a document known
//!     only by its id so the next sync fetches it.
//!   - [`Client::subscribe`] gives a stream of [`DocEvent`]s (local change,
//!     remote change, confirmed by the relay, unavailable on the relay).
//!   - [`Client::pending`] / [`Client::summary`] say what the relay has not
//!     confirmed yet. Confirmed heads are kept in the store, so another
//!     process (`linli status`) sees them.
//! - [`Client::connect`] starts the background sync loop and returns a
//!   [`SyncHandle`] (watch its [`ConnectionState`], stop it);
//!   [`Client::sync_until_idle`] syncs once and returns a [`SyncReport`];
//!   [`Client::fetch`] fetches one document.
//! - [`json`]: automerge ⇄ JSON, for showing documents and setting values
//!   (`linli_records::json`, re-exported: the records crate owns it so a
//!   WebAssembly build uses the same converter).
//! - [`records`]: the street's typed documents on this device — the
//!   remembered directory and person id, and loading buildings, teams and
//!   task boards through `linli_records`.
//!
//! # Driving it
//!
//! ```no_run
//! # async fn demo() -> Result<(), linli_client::ClientError> {
//! use std::time::Duration;
//! use linli_client::{Client, automerge::{ROOT, transaction::Transactable}};
//!
//! let client = Client::open("/tmp/linli-demo")?;
//! let doc = client.create()?;
//! client.change(doc, |tx| {
//!     tx.put(ROOT, "name", "3号楼")?;
//!     Ok(())
//! })?;                                            // on disk now
//! assert_eq!(client.pending(doc)?.changes, 2);    // creation + edit
//!
//! let mut events = client.subscribe(doc);
//! let sync = client.connect("ws://127.0.0.1:8080/sync")?;
//! sync.wait_connected(Duration::from_secs(5)).await;
//! let _confirmed = events.recv().await;           // DocEventKind::Confirmed, …
//! sync.stop().await;
//!
//! // or, once: returns when nothing is pending
//! let report = client.sync_until_idle("ws://127.0.0.1:8080/sync", Duration::from_secs(30)).await?;
//! println!("{report}");
//! # Ok(()) }
//! ```
//!
//! The sync protocol itself (handshake, per-document sessions) lives in
//! `linli_protocol`; this crate adds storage, the socket loop and the CLI.

mod client;
mod clock;
mod device_store;
mod error;
mod events;
mod heads;
pub mod history;
mod identity;
mod meta_keys;
mod pending;
pub mod records;
mod relay;
mod relay_http;
pub mod sync;
mod unshared;
mod who_am_i;

pub use automerge;
pub use client::{Client, STORE_FILE};
pub use clock::Clock;
pub use error::{ClientError, EditError};
pub use events::{DocEvent, DocEventKind};
pub use linli_protocol::{DocumentId, PeerId};
pub use linli_records::json;
pub use pending::{Pending, Summary};
pub use relay::{IntoRelayTarget, RelayTarget, SYNC_PATH, normalize_url, redact_url};
pub use sync::{ConnectionState, SyncHandle, SyncReport};
pub use who_am_i::{WhoAmI, who_am_i};

#[cfg(test)]
mod tests;
