//! The automerge-repo network messages (protocol version "1") and their CBOR
//! encoding: one CBOR map with text keys per websocket binary frame.
//!
//! Decoding is strict about what matters and lenient about the rest, as real
//! peers require: unknown keys are ignored, `null` and `undefined` count as
//! absent, integers may arrive as floats, document ids may be text or 16 raw
//! bytes. Any other deviation is a [`DecodeError`], never a panic.

mod decode;
mod encode;

pub use decode::DecodeError;

use crate::{DocumentId, PeerId};

/// The only protocol version automerge-repo has ever spoken (1.x to 2.x).
pub const PROTOCOL_VERSION: &str = "1";

/// Metadata a peer announces about itself in `join` / `peer`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeerMetadata {
    /// The peer's storage id (a UUID string), if it has storage.
    pub storage_id: Option<String>,
    /// Whether the peer keeps nothing between sessions.
    pub is_ephemeral: Option<bool>,
}

/// A document-scoped message carrying automerge sync data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncData {
    pub sender_id: PeerId,
    pub target_id: PeerId,
    pub document_id: DocumentId,
    /// An encoded automerge sync message (first byte 0x42 or 0x43).
    pub data: Vec<u8>,
}

/// One entry of a `remote-heads-changed` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteHeads {
    pub storage_id: String,
    pub heads: Vec<String>,
    pub timestamp: u64,
}

/// Every message of the automerge-repo network protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Client to server: the first message on a connection.
    Join {
        sender_id: PeerId,
        supported_protocol_versions: Vec<String>,
        peer_metadata: Option<PeerMetadata>,
    },
    /// Server to client: the answer to `join`.
    Peer {
        sender_id: PeerId,
        target_id: PeerId,
        selected_protocol_version: String,
        peer_metadata: Option<PeerMetadata>,
    },
    /// The sender is about to close the connection because of `message`.
    Error {
        message: String,
        sender_id: Option<PeerId>,
        target_id: Option<PeerId>,
    },
    /// automerge-repo 1.x: the peer is leaving. Treated as a close.
    Leave { sender_id: PeerId },
    /// Sync data from a peer that has nothing of the document yet.
    Request(SyncData),
    /// Sync data from a peer that has (some of) the document.
    Sync(SyncData),
    /// The sender does not have the document (or may not share it).
    DocUnavailable {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
    },
    /// Application data that is forwarded but never stored.
    Ephemeral {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        session_id: String,
        count: u64,
        data: Vec<u8>,
    },
    /// Remote-heads gossip subscription (accepted and ignored by linli).
    RemoteSubscriptionChange {
        sender_id: PeerId,
        target_id: PeerId,
        add: Vec<String>,
        remove: Vec<String>,
    },
    /// Remote-heads gossip (accepted and ignored by linli).
    RemoteHeadsChanged {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        new_heads: Vec<RemoteHeads>,
    },
}

impl Message {
    /// The `type` field on the wire.
    pub fn type_name(&self) -> &'static str {
        match self {
            Message::Join { .. } => "join",
            Message::Peer { .. } => "peer",
            Message::Error { .. } => "error",
            Message::Leave { .. } => "leave",
            Message::Request(_) => "request",
            Message::Sync(_) => "sync",
            Message::DocUnavailable { .. } => "doc-unavailable",
            Message::Ephemeral { .. } => "ephemeral",
            Message::RemoteSubscriptionChange { .. } => "remote-subscription-change",
            Message::RemoteHeadsChanged { .. } => "remote-heads-changed",
        }
    }

    /// The sender's peer id, where the message carries one.
    pub fn sender_id(&self) -> Option<&PeerId> {
        match self {
            Message::Join { sender_id, .. }
            | Message::Peer { sender_id, .. }
            | Message::Leave { sender_id }
            | Message::DocUnavailable { sender_id, .. }
            | Message::Ephemeral { sender_id, .. }
            | Message::RemoteSubscriptionChange { sender_id, .. }
            | Message::RemoteHeadsChanged { sender_id, .. } => Some(sender_id),
            Message::Request(s) | Message::Sync(s) => Some(&s.sender_id),
            Message::Error { sender_id, .. } => sender_id.as_ref(),
        }
    }

    /// The document the message is about, if any.
    pub fn document_id(&self) -> Option<DocumentId> {
        match self {
            Message::Request(s) | Message::Sync(s) => Some(s.document_id),
            Message::DocUnavailable { document_id, .. }
            | Message::Ephemeral { document_id, .. }
            | Message::RemoteHeadsChanged { document_id, .. } => Some(*document_id),
            _ => None,
        }
    }

    /// Encodes the message as one CBOR map, as sent in a binary frame.
    pub fn encode(&self) -> Vec<u8> {
        encode::encode(self)
    }

    /// Decodes one frame. Frames longer than `max_len` bytes are refused
    /// before any parsing.
    pub fn decode(bytes: &[u8], max_len: usize) -> Result<Message, DecodeError> {
        decode::decode(bytes, max_len)
    }
}

#[cfg(test)]
mod tests;
