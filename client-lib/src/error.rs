//! The client's error types: [`ClientError`] for every [`Client`](crate::Client)
//! call, [`EditError`] for what an edit closure may fail with.

use std::path::PathBuf;
use std::time::Duration;

use linli_protocol::{DocumentId, DocumentIdError};
use linli_store::StoreError;

use crate::sync::SyncReport;
use linli_records::json::JsonError;

/// Everything a [`Client`](crate::Client) call can fail with. Each variant
/// names what failed and, where it helps, what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The local data directory could not be created.
    #[error("cannot create the linli directory {}: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The local SQLite store failed (disk full, corrupt document, …).
    #[error("local store: {0}")]
    Store(#[from] StoreError),

    /// A value linli keeps in the store's metadata is not what it wrote.
    #[error("stored setting {key:?} is damaged: {reason}")]
    BadMeta { key: String, reason: String },

    /// The document has no data on this device.
    #[error("document {doc} is not on this device")]
    NotFound { doc: DocumentId },

    /// The relay answered `doc-unavailable`: it does not have the document,
    /// or this device may not read it.
    #[error(
        "document {doc} is unavailable on the relay: it does not exist there, \
         or this device is not allowed to read it"
    )]
    Unavailable { doc: DocumentId },

    /// The relay said this device may only read the document; the edit was
    /// not made (the relay would refuse it).
    #[error("document {doc} is read-only for this device's token; nothing was changed")]
    ReadOnly { doc: DocumentId },

    /// The text is not a document id or `automerge:` URL.
    #[error(transparent)]
    BadDocumentId(#[from] DocumentIdError),

    /// An edit closure failed; nothing of the edit was committed.
    #[error("edit of document {doc} failed, nothing was saved: {source}")]
    Edit {
        doc: DocumentId,
        #[source]
        source: Box<EditError>,
    },

    /// The relay URL is not a `ws://` or `wss://` URL.
    #[error("invalid relay URL {url:?}: {reason}")]
    BadRelayUrl { url: String, reason: String },

    /// No relay URL is configured for this store.
    #[error("no relay is configured; run `linli init --relay ws://HOST:PORT/sync` first")]
    NoRelay,

    /// A sync session is already running for this client; the relay binds one
    /// socket per peer id, so a second one would only kick the first.
    #[error("this client is already syncing with the relay; stop that session first")]
    AlreadySyncing,

    /// The relay could not be reached or refused the connection.
    #[error("cannot connect to the relay at {url}: {reason}")]
    Connect { url: String, reason: String },

    /// The relay closed the connection with close code 4403, or refused it
    /// and its `/api/me` says so: the street office revoked this device's
    /// token. Retrying cannot help.
    #[error("this device's token was revoked by the street office; ask them for a new one")]
    TokenRevoked,

    /// [`Client::sync_until_idle`](crate::Client::sync_until_idle) ran out
    /// of time (or the relay refused documents) with work left.
    #[error("sync did not finish within {}s: {report}", timeout.as_secs())]
    SyncIncomplete {
        timeout: Duration,
        report: Box<SyncReport>,
    },

    /// A background task of the client panicked or was cancelled.
    #[error("internal task failed: {0}")]
    Task(String),
}

impl ClientError {
    /// The sync report, when this is [`ClientError::SyncIncomplete`].
    pub fn sync_report(&self) -> Option<&SyncReport> {
        match self {
            ClientError::SyncIncomplete { report, .. } => Some(report),
            _ => None,
        }
    }
}

/// Why an edit closure passed to [`Client::change`](crate::Client::change)
/// gave up. Returning it rolls the whole edit back.
///
/// `?` converts automerge and JSON-path errors; use [`EditError::other`] for
/// anything else.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EditError {
    #[error(transparent)]
    Automerge(#[from] automerge::AutomergeError),
    #[error(transparent)]
    Json(#[from] JsonError),
    #[error("{0}")]
    Other(String),
}

impl EditError {
    /// An edit failure described in words.
    pub fn other(message: impl Into<String>) -> Self {
        EditError::Other(message.into())
    }
}
