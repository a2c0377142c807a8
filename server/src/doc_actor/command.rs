//! The commands a document task takes, from connections and the relay.

use std::any::Any;

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
    /// A change the relay makes itself (the office's import), stored with
    /// `token`'s name in the audit log like a device's change. `reply` gets
    /// the edit's answer once the change is durable and offered to the
    /// attached peers, or why not (nothing was stored then).
    Edit {
        token: String,
        edit: LocalEdit,
        reply: oneshot::Sender<Result<Box<dyn Any + Send>, String>>,
    },
    /// Another relay process on the same database (a district hub run as
    /// several) stored new chunks of this document: take them in and offer
    /// them to the attached peers.
    StoredElsewhere,
    /// Start syncing with a peer this relay dialed (its upstream hub),
    /// which does not ask first: send it what it lacks, or ask it for the
    /// document when it is empty here. `restart` forgets what the peer was
    /// already sent (for a document the hub still lacks after a while).
    Offer {
        peer: PeerId,
        conn: ConnRef,
        access: Access,
        token: String,
        restart: bool,
    },
    /// Whether `peer` has confirmed holding everything this relay holds of
    /// the document (`None`: not attached or not loaded).
    Covered {
        peer: PeerId,
        reply: oneshot::Sender<Option<bool>>,
    },
    /// The relay is shutting down.
    Stop,
}

/// An edit of the document, run inside its task: it changes the document
/// through a transaction (changing nothing when it fails) and returns any
/// answer for the caller.
pub struct LocalEdit(pub Box<LocalEditFn>);

pub type LocalEditFn =
    dyn FnOnce(&mut automerge::Automerge) -> Result<Box<dyn Any + Send>, String> + Send;

impl std::fmt::Debug for LocalEdit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LocalEdit")
    }
}
