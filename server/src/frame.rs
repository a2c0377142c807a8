//! One websocket frame, independent of the websocket library, so the
//! connection loop can run over axum, tungstenite or plain channels.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Binary(Vec<u8>),
    Text(String),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close,
}
