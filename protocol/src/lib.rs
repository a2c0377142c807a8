//! linli's wire protocol: the automerge-repo network protocol, version "1".
//!
//! No I/O lives here. The crate gives:
//! - [`DocumentId`] and [`AutomergeUrl`]: 16-byte ids as bs58check text;
//! - [`Message`]: every automerge-repo message as a typed value, with
//!   [`Message::encode`] and [`Message::decode`] (CBOR maps, as JavaScript and
//!   samod peers write them);
//! - [`DocSync`]: the sync session for one document with any number of
//!   peers. The relay and the client both drive it: feed it what a peer sent,
//!   persist the bytes it says are new, then send what it says to send;
//! - the connection around it, written once for every side: [`Frame`] (a
//!   websocket message, whatever the websocket library), [`handshake`]
//!   (`join`/`peer`) and [`Liveness`] (when to ping a quiet peer and when to
//!   give it up);
//! - [`unconfirmed`]: the rule for "saved on the relay" (a device's changes
//!   the relay's confirmed heads do not cover), shared by CLI and browser;
//! - [`close`]: the close codes and reasons a relay sends, so every client
//!   reads the same numbers ([`CloseReason`]).
//!
//! Nothing here reads a clock or the OS's entropy: time comes in as an
//! argument and randomness as an RNG, so the same code runs in the relay,
//! on a device, in a browser (wasm32) and under a fake clock in tests.

pub mod close;
mod doc_sync;
mod document_id;
mod frame;
pub mod handshake;
mod liveness;
mod message;
mod peer_id;
mod sync_guard;
mod unconfirmed;

pub use close::{CloseFrame, CloseReason};
pub use doc_sync::{Access, DocSync, MIN_KEPT_BYTES, Received, SyncError, SyncKind};
pub use document_id::{AutomergeUrl, DocumentId, DocumentIdError, URL_PREFIX};
pub use frame::Frame;
pub use handshake::{HandshakeError, Hello};
pub use liveness::{Liveness, LivenessPolicy, Verdict};
pub use message::{DecodeError, Message, PROTOCOL_VERSION, PeerMetadata, RemoteHeads, SyncData};
pub use peer_id::PeerId;
pub use unconfirmed::{Unconfirmed, unconfirmed};
