//! The commands a document task takes, from connections and the relay.

use linli_protocol::{Access, PeerId, SyncKind};
use tokio::sync::oneshot;

use crate::outbound::ConnRef;

/// What a document task is asked to do.
#[derive(Debug)]
pub enum DocCommand {
    /// A `request` or `sync` from a peer allowed `access`. `done` fires once
    /// the message is fully handled (stored and answered).
    Sync {
        peer: PeerId,
        conn: ConnRef,
        access: Access,
        /// The name of the token the peer connected with, for the audit log.
        token: String,
        kind: SyncKind,
        data: Vec<u8>,
        done: oneshot::Sender<()>,
    },
    /// The peer said it does not have the document.
    Unavailable { peer: PeerId, conn_id: u64 },
    /// An ephemeral message to pass on to the document's other peers.
    Ephemeral {
        peer: PeerId,
        conn: ConnRef,
        session_id: String,
        count: u64,
        data: Vec<u8>,
    },
    /// The peer's connection closed.
    Detach { peer: PeerId, conn_id: u64 },
    /// The relay's directory setting now names this document: index it.
    PublishDirectory,
    /// The memory budget took this idle document out of the registry to
    /// make room: end now (commands for it already go to a fresh task).
    Evict,
    /// The relay is shutting down.
    Stop,
}
