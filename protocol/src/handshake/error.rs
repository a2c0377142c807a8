//! Why a handshake failed. The texts go to the other side in an `error`
//! message (relay) or to a person (device), so each says what was wrong.

use crate::DecodeError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    #[error("text frames are not part of the protocol; send CBOR in binary frames")]
    TextFrame,
    #[error("unexpected {0} frame before the handshake")]
    UnexpectedFrame(&'static str),
    #[error("invalid message: {0}")]
    Invalid(DecodeError),
    #[error("expected a join message first, got {0}")]
    NotJoin(&'static str),
    #[error("unsupported protocol version: offered {0:?}, this peer speaks \"1\"")]
    UnsupportedVersions(Vec<String>),
    #[error("the other side selected protocol version {0:?}, not \"1\"")]
    WrongVersion(String),
    #[error("the other side sent an error: {0}")]
    Refused(String),
    #[error("the other side left")]
    Left,
    #[error("the other side closed the connection during the handshake")]
    Closed,
}
