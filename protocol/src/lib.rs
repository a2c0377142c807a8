//! linli's wire protocol: the automerge-repo network protocol, version "1".
//!
//! No I/O lives here. The crate gives:
//! - [`DocumentId`] and [`AutomergeUrl`]: 16-byte ids as bs58check text;
//! - [`Message`]: every automerge-repo message as a typed value, with
//!   [`Message::encode`] and [`Message::decode`] (CBOR maps, as JavaScript and
//!   samod peers write them);
//! - [`DocSync`]: the sync session for one document with any number of
//!   peers. The relay and the client both drive it: feed it what a peer sent,
//!   persist the bytes it says are new, then send what it says to send.

mod doc_sync;
mod document_id;
mod message;
mod peer_id;
mod sync_guard;

pub use doc_sync::{Access, DocSync, Received, SyncError, SyncKind};
pub use document_id::{AutomergeUrl, DocumentId, DocumentIdError, URL_PREFIX};
pub use message::{DecodeError, Message, PROTOCOL_VERSION, PeerMetadata, RemoteHeads, SyncData};
pub use peer_id::PeerId;
