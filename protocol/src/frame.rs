//! [`Frame`]: one websocket message as linli sees it, independent of the
//! websocket library.
//!
//! The relay (axum), the device client (tokio-tungstenite), the bench, the
//! fuzz target and in-memory tests all move these, so each connection loop
//! is written once over any `Stream + Sink` of frames and adapters only
//! translate at the edge.

use crate::close::{CloseFrame, CloseReason};

/// One websocket message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A protocol message: one CBOR map ([`crate::Message::encode`]).
    Binary(Vec<u8>),
    /// Not part of the protocol; a peer that sends one is refused.
    Text(String),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    /// A close, with its code and reason if it had one (see
    /// [`crate::CloseReason`] for the codes a linli relay sends).
    Close(Option<CloseFrame>),
}

impl Frame {
    /// The frame kind, for errors and logs (never the payload, which may
    /// hold personal data).
    pub fn kind(&self) -> &'static str {
        match self {
            Frame::Binary(_) => "binary",
            Frame::Text(_) => "text",
            Frame::Ping(_) => "ping",
            Frame::Pong(_) => "pong",
            Frame::Close(_) => "close",
        }
    }

    /// A close frame saying why.
    pub fn close(reason: CloseReason) -> Self {
        Frame::Close(Some(reason.into()))
    }
}

impl From<&crate::Message> for Frame {
    fn from(message: &crate::Message) -> Self {
        Frame::Binary(message.encode())
    }
}
