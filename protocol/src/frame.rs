//! [`Frame`]: one websocket message as linli sees it, independent of the
//! websocket library.
//!
//! The relay (axum), the device client (tokio-tungstenite), the bench, the
//! fuzz target and in-memory tests all move these, so each connection loop
//! is written once over any `Stream + Sink` of frames and adapters only
//! translate at the edge.

/// One websocket message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A protocol message: one CBOR map ([`crate::Message::encode`]).
    Binary(Vec<u8>),
    /// Not part of the protocol; a peer that sends one is refused.
    Text(String),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close,
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
            Frame::Close => "close",
        }
    }
}

impl From<&crate::Message> for Frame {
    fn from(message: &crate::Message) -> Self {
        Frame::Binary(message.encode())
    }
}
