//! Syncing with the relay over the automerge-repo websocket protocol.
//!
//! - `session`: one connection as a state machine (frames in, messages
//!   out), with no sockets;
//! - `connection`: the driver of one connection, generic over any
//!   `Stream + Sink` of [`Frame`]s;
//! - `dial`: tokio-tungstenite, the production socket;
//! - `handle`: the reconnecting loop behind [`Client::connect`](crate::Client::connect);
//! - `until_idle`: one-shot syncs, [`Client::sync_until_idle`](crate::Client::sync_until_idle)
//!   and [`Client::fetch`](crate::Client::fetch);
//! - `store`: [`SyncStore`], the documents as a session sees them;
//! - `doc_ops`: what a connection does to those documents.

mod backoff;
mod connection;
mod dial;
mod doc_ops;
mod frame;
mod handle;
mod session;
mod store;
mod until_idle;

pub use backoff::{INITIAL_BACKOFF, MAX_BACKOFF};
pub use frame::tungstenite_frames;
pub use handle::{ConnectionState, SyncHandle};
pub use linli_protocol::Frame;
pub use session::MAX_FRAME_BYTES;
pub(crate) use store::SyncStore;
pub use until_idle::{SyncReport, human_duration};

#[cfg(test)]
mod tests;
