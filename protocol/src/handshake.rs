//! The `join`/`peer` handshake that opens every connection, for both roles.
//!
//! The side that dials sends [`join`] and waits with [`read_peer`] until the
//! other side's `peer` arrives; the side that accepts checks the first frame
//! with [`accept_join`] and answers with [`peer`]. Both agree on protocol
//! version "1", the only one automerge-repo has ever spoken. Nothing here
//! does I/O or reads a clock: how long to wait for the answer is the
//! driver's business.

mod error;

pub use error::HandshakeError;

use rand_core::RngCore;

use crate::{DecodeError, Frame, Message, PROTOCOL_VERSION, PeerId, PeerMetadata};

/// What the other side announced about itself in its `join` or `peer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    pub peer_id: PeerId,
    pub metadata: Option<PeerMetadata>,
}

impl PeerMetadata {
    /// The metadata of a peer that keeps its documents (the relay, a
    /// device): its storage id, and not ephemeral.
    pub fn durable(storage_id: impl Into<String>) -> Self {
        Self {
            storage_id: Some(storage_id.into()),
            is_ephemeral: Some(false),
        }
    }
}

/// The `join` that opens a connection, offering protocol version "1".
pub fn join(me: &PeerId, metadata: PeerMetadata) -> Message {
    Message::Join {
        sender_id: me.clone(),
        supported_protocol_versions: vec![PROTOCOL_VERSION.to_owned()],
        peer_metadata: Some(metadata),
    }
}

/// The `peer` that answers `joined`'s `join`, selecting version "1".
pub fn peer(me: &PeerId, joined: &PeerId, metadata: PeerMetadata) -> Message {
    Message::Peer {
        sender_id: me.clone(),
        target_id: joined.clone(),
        selected_protocol_version: PROTOCOL_VERSION.to_owned(),
        peer_metadata: Some(metadata),
    }
}

/// Checks the first frame on an accepted connection: it must be a binary
/// `join` that offers version "1". Anything else refuses the connection,
/// with an error whose text tells the peer what to fix.
pub fn accept_join(frame: &Frame, max_len: usize) -> Result<Hello, HandshakeError> {
    let bytes = match frame {
        Frame::Binary(bytes) => bytes,
        Frame::Text(_) => return Err(HandshakeError::TextFrame),
        Frame::Close(_) => return Err(HandshakeError::Closed),
        other => return Err(HandshakeError::UnexpectedFrame(other.kind())),
    };
    match Message::decode(bytes, max_len).map_err(HandshakeError::Invalid)? {
        Message::Join {
            sender_id,
            supported_protocol_versions,
            peer_metadata,
        } => {
            if supported_protocol_versions
                .iter()
                .any(|v| v == PROTOCOL_VERSION)
            {
                Ok(Hello {
                    peer_id: sender_id,
                    metadata: peer_metadata,
                })
            } else {
                Err(HandshakeError::UnsupportedVersions(
                    supported_protocol_versions,
                ))
            }
        }
        other => Err(HandshakeError::NotJoin(other.type_name())),
    }
}

/// Takes one frame received after sending `join`. `Ok(Some)` once the
/// other side's `peer` arrived; `Ok(None)` for what may come first and is
/// skipped (pings, messages of types this version does not know, stray
/// messages); an error when the handshake has failed.
pub fn read_peer(frame: &Frame, max_len: usize) -> Result<Option<Hello>, HandshakeError> {
    let bytes = match frame {
        Frame::Binary(bytes) => bytes,
        Frame::Ping(_) | Frame::Pong(_) => return Ok(None),
        Frame::Text(_) => return Err(HandshakeError::TextFrame),
        Frame::Close(_) => return Err(HandshakeError::Closed),
    };
    let message = match Message::decode(bytes, max_len) {
        Ok(m) => m,
        Err(DecodeError::UnknownType(_)) => return Ok(None),
        Err(e) => return Err(HandshakeError::Invalid(e)),
    };
    match message {
        Message::Peer {
            sender_id,
            selected_protocol_version,
            peer_metadata,
            ..
        } => {
            if selected_protocol_version == PROTOCOL_VERSION {
                Ok(Some(Hello {
                    peer_id: sender_id,
                    metadata: peer_metadata,
                }))
            } else {
                Err(HandshakeError::WrongVersion(selected_protocol_version))
            }
        }
        Message::Error { message, .. } => Err(HandshakeError::Refused(message)),
        Message::Leave { .. } => Err(HandshakeError::Left),
        _ => Ok(None),
    }
}

/// A fresh storage id, the UUID text a durable peer announces in its
/// metadata (made once and kept with its documents), from the caller's RNG.
pub fn new_storage_id(rng: &mut (impl RngCore + ?Sized)) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    // A v4 UUID, as JavaScript peers make them.
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests;
