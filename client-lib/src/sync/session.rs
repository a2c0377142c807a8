//! One connection to the relay as a state machine, without sockets: frames
//! in, messages out. The driver ([`super::connection`]) moves bytes; this
//! decides what they mean.
//!
//! 1. [`Session::join`] gives the first message; [`Session::on_handshake`]
//!    takes frames until the relay's `peer` names it.
//! 2. [`Session::start`] attaches the relay to every document in scope
//!    (fresh sync state, whatever an earlier connection delivered) and gives
//!    the first sync messages.
//! 3. [`Session::on_frame`] and [`Session::on_local_change`] give what to send
//!    next; [`Session::is_idle`] says when every document has settled: the
//!    relay's last advertised heads equal ours, or the relay said it does
//!    not have the document.
//! 4. [`Session::finish`] detaches the relay and reports.
//!
//! Methods that touch documents block on SQLite: run them off the async
//! threads.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use automerge::ChangeHash;
use linli_protocol::{
    DecodeError, DocumentId, Frame, HandshakeError, Message, PeerId, PeerMetadata, SyncData,
    SyncKind, handshake,
};

use super::doc_ops;
use super::store::SyncStore;
use crate::{ClientError, heads};

/// Frames larger than this are refused (tungstenite's default, and what the
/// relay allows).
pub const MAX_FRAME_BYTES: usize = 64 * 1024 * 1024;

/// Which documents a session syncs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every local and wanted document, and any created meanwhile.
    All,
    /// Only these.
    Only(BTreeSet<DocumentId>),
}

/// Why a connection ended (other than being told to stop).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SessionEnd {
    #[error("the relay sent an error: {0}")]
    RelayError(String),
    #[error("the relay left")]
    Left,
    #[error("the relay sent an undecodable message: {0}")]
    Undecodable(DecodeError),
    #[error("the relay sent a text frame; the protocol uses binary frames only")]
    TextFrame,
    #[error("handshake with the relay failed: {0}")]
    Handshake(HandshakeError),
    #[error("local store: {0}")]
    Store(String),
}

/// Per-document progress within one connection.
#[derive(Debug, Default, Clone)]
struct DocProgress {
    /// The relay's heads as of its last sync message, sorted.
    relay_heads: Option<Vec<ChangeHash>>,
    /// Our heads as last seen, sorted.
    local_heads: Vec<ChangeHash>,
    unavailable: bool,
}

impl DocProgress {
    fn settled(&self) -> bool {
        self.unavailable || self.relay_heads.as_ref() == Some(&self.local_heads)
    }
}

/// What a session learned, for [`SyncReport`](super::SyncReport).
#[derive(Debug, Clone, Default)]
pub(crate) struct SessionTotals {
    pub updated: BTreeSet<DocumentId>,
    pub unavailable: BTreeSet<DocumentId>,
    /// Documents that could not be loaded from the store.
    pub failed: BTreeSet<DocumentId>,
}

pub(crate) struct Session {
    /// The device's documents, as far as syncing needs them.
    store: Arc<dyn SyncStore>,
    peer_id: PeerId,
    storage_id: String,
    scope: Scope,
    relay: Option<PeerId>,
    docs: BTreeMap<DocumentId, DocProgress>,
    unsettled: BTreeSet<DocumentId>,
    pub(crate) totals: SessionTotals,
}

impl Session {
    /// A session for the device `peer_id` (announcing `storage_id`) over
    /// `store`.
    pub(crate) fn new(
        store: Arc<dyn SyncStore>,
        peer_id: PeerId,
        storage_id: String,
        scope: Scope,
    ) -> Self {
        Self {
            store,
            peer_id,
            storage_id,
            scope,
            relay: None,
            docs: BTreeMap::new(),
            unsettled: BTreeSet::new(),
            totals: SessionTotals::default(),
        }
    }

    /// The relay's peer id, once the handshake is done.
    pub(crate) fn relay(&self) -> Option<&PeerId> {
        self.relay.as_ref()
    }

    /// The `join` that opens the connection.
    pub(crate) fn join(&self) -> Message {
        handshake::join(&self.peer_id, PeerMetadata::durable(&self.storage_id))
    }

    /// Takes a frame received before the handshake completed. `Ok(true)`
    /// once the relay's `peer` arrived; what may precede it is skipped.
    pub(crate) fn on_handshake(&mut self, frame: &Frame) -> Result<bool, SessionEnd> {
        match handshake::read_peer(frame, MAX_FRAME_BYTES) {
            Ok(Some(hello)) => {
                tracing::info!(relay = %hello.peer_id, "connected to the relay");
                self.relay = Some(hello.peer_id);
                Ok(true)
            }
            Ok(None) => Ok(false),
            Err(e) => Err(SessionEnd::Handshake(e)),
        }
    }

    /// Attaches the relay to every document in scope; returns the first
    /// messages to send.
    pub(crate) fn start(&mut self) -> Result<Vec<Message>, SessionEnd> {
        let relay = self.relay_id()?;
        let candidates = match &self.scope {
            Scope::All => self.store.documents().map_err(store_end)?,
            Scope::Only(docs) => docs.iter().copied().collect(),
        };
        let mut out = Vec::new();
        for doc in candidates {
            match doc_ops::start_doc(&*self.store, &relay, doc) {
                Some(messages) => {
                    out.extend(messages);
                    self.track(doc);
                }
                None => {
                    self.totals.failed.insert(doc);
                }
            }
        }
        tracing::debug!(documents = self.docs.len(), "sync started");
        Ok(out)
    }

    /// Takes one frame after the handshake; returns what to send.
    pub(crate) fn on_frame(&mut self, frame: &[u8]) -> Result<Vec<Message>, SessionEnd> {
        let relay = self.relay_id()?;
        let message = match Message::decode(frame, MAX_FRAME_BYTES) {
            Ok(m) => m,
            Err(DecodeError::UnknownType(t)) => {
                tracing::debug!(r#type = %t, "ignoring unknown message type");
                return Ok(Vec::new());
            }
            Err(e) => return Err(SessionEnd::Undecodable(e)),
        };
        tracing::trace!(r#type = message.type_name(), doc = ?message.document_id(), bytes = frame.len(), "received");
        match message {
            Message::Sync(data) => self.on_sync(&relay, SyncKind::Sync, &data),
            Message::Request(data) => self.on_sync(&relay, SyncKind::Request, &data),
            Message::DocUnavailable { document_id, .. } => {
                doc_ops::relay_lacks(&*self.store, &relay, document_id);
                self.totals.unavailable.insert(document_id);
                let progress = self.docs.entry(document_id).or_default();
                progress.unavailable = true;
                self.unsettled.remove(&document_id);
                Ok(Vec::new())
            }
            Message::Error { message, .. } => Err(SessionEnd::RelayError(message)),
            Message::Leave { .. } => Err(SessionEnd::Left),
            Message::Ephemeral { .. }
            | Message::RemoteSubscriptionChange { .. }
            | Message::RemoteHeadsChanged { .. } => Ok(Vec::new()),
            Message::Join { .. } | Message::Peer { .. } => {
                tracing::debug!("ignoring a repeated handshake message from the relay");
                Ok(Vec::new())
            }
        }
    }

    fn on_sync(
        &mut self,
        relay: &PeerId,
        kind: SyncKind,
        data: &SyncData,
    ) -> Result<Vec<Message>, SessionEnd> {
        let doc = data.document_id;
        let applied =
            doc_ops::apply_from_relay(&*self.store, relay, kind, data).map_err(store_end)?;
        if applied.failed {
            self.totals.failed.insert(doc);
            self.docs.remove(&doc);
            self.unsettled.remove(&doc);
            return Ok(Vec::new());
        }
        if applied.updated {
            self.totals.updated.insert(doc);
        }
        let progress = self.docs.entry(doc).or_default();
        progress.unavailable = false;
        if let Some(heads) = heads::advertised(&data.data) {
            progress.relay_heads = Some(heads);
        }
        progress.local_heads = applied.local_heads;
        self.update_settled(doc);
        Ok(applied.outgoing)
    }

    /// A document changed locally; returns what to send for it.
    pub(crate) fn on_local_change(&mut self, doc: DocumentId) -> Result<Vec<Message>, SessionEnd> {
        if let Scope::Only(docs) = &self.scope
            && !docs.contains(&doc)
        {
            return Ok(Vec::new());
        }
        let relay = self.relay_id()?;
        let out = doc_ops::outgoing_for(&*self.store, &relay, doc);
        self.track(doc);
        Ok(out)
    }

    /// Another process may have written to the store: offer what it wrote.
    pub(crate) fn on_outside_writes(&mut self) -> Result<Vec<Message>, SessionEnd> {
        let docs = self.store.outside_writes().map_err(store_end)?;
        let mut out = Vec::new();
        for doc in docs {
            out.extend(self.on_local_change(doc)?);
        }
        Ok(out)
    }

    /// The local-change notices overflowed: re-send for every document.
    pub(crate) fn on_local_overflow(&mut self) -> Result<Vec<Message>, SessionEnd> {
        let docs = match &self.scope {
            Scope::All => self.store.documents().map_err(store_end)?,
            Scope::Only(docs) => docs.iter().copied().collect(),
        };
        let mut out = Vec::new();
        for doc in docs {
            out.extend(self.on_local_change(doc)?);
        }
        Ok(out)
    }

    /// Every document has settled with the relay.
    pub(crate) fn is_idle(&self) -> bool {
        self.relay.is_some() && self.unsettled.is_empty()
    }

    /// Documents that have not settled yet.
    pub(crate) fn unsettled(&self) -> impl Iterator<Item = &DocumentId> {
        self.unsettled.iter()
    }

    /// Ends the session: the relay is detached from every document.
    pub(crate) fn finish(&mut self) {
        if let Some(relay) = self.relay.take() {
            doc_ops::detach_relay(&*self.store, &relay);
        }
    }

    fn track(&mut self, doc: DocumentId) {
        let local_heads = doc_ops::sorted_heads(&*self.store, doc);
        let progress = self.docs.entry(doc).or_default();
        progress.local_heads = local_heads;
        self.update_settled(doc);
    }

    fn update_settled(&mut self, doc: DocumentId) {
        let settled = self.docs.get(&doc).is_some_and(DocProgress::settled);
        if settled {
            self.unsettled.remove(&doc);
        } else {
            self.unsettled.insert(doc);
        }
    }

    fn relay_id(&self) -> Result<PeerId, SessionEnd> {
        self.relay
            .clone()
            .ok_or_else(|| SessionEnd::RelayError("message before the handshake".to_owned()))
    }
}

fn store_end(e: ClientError) -> SessionEnd {
    SessionEnd::Store(e.to_string())
}
