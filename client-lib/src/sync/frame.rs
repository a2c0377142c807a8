//! tokio-tungstenite as a `Stream + Sink` of [`Frame`]s, the protocol
//! crate's websocket message, so the connection driver is written once over
//! any socket (tungstenite in production, channels in tests).

use futures::{Sink, SinkExt, Stream, StreamExt, future};
use linli_protocol::{CloseFrame, Frame};
use tokio_tungstenite::tungstenite::protocol::CloseFrame as WsClose;
use tokio_tungstenite::tungstenite::{self, Message as WsMessage};

/// Wraps a tungstenite websocket as a `Stream + Sink` of [`Frame`]s.
/// (tungstenite answers pings by itself.)
pub fn tungstenite_frames<S>(
    ws: S,
) -> impl Stream<Item = Result<Frame, tungstenite::Error>>
+ Sink<Frame, Error = tungstenite::Error>
+ Unpin
where
    S: Stream<Item = Result<WsMessage, tungstenite::Error>>
        + Sink<WsMessage, Error = tungstenite::Error>
        + Unpin,
{
    ws.filter_map(|item| {
        future::ready(match item {
            Ok(WsMessage::Binary(b)) => Some(Ok(Frame::Binary(b.into()))),
            Ok(WsMessage::Text(t)) => Some(Ok(Frame::Text(t.as_str().to_owned()))),
            Ok(WsMessage::Ping(p)) => Some(Ok(Frame::Ping(p.into()))),
            Ok(WsMessage::Pong(p)) => Some(Ok(Frame::Pong(p.into()))),
            Ok(WsMessage::Close(close)) => Some(Ok(Frame::Close(close.map(|c| CloseFrame {
                code: c.code.into(),
                reason: c.reason.as_str().to_owned(),
            })))),
            Ok(WsMessage::Frame(_)) => None,
            Err(e) => Some(Err(e)),
        })
    })
    .with(|frame: Frame| {
        future::ready(Ok::<_, tungstenite::Error>(match frame {
            Frame::Binary(b) => WsMessage::Binary(b.into()),
            Frame::Text(t) => WsMessage::Text(t.into()),
            Frame::Ping(p) => WsMessage::Ping(p.into()),
            Frame::Pong(p) => WsMessage::Pong(p.into()),
            Frame::Close(close) => WsMessage::Close(close.map(|c| WsClose {
                code: c.code.into(),
                reason: c.reason.into(),
            })),
        }))
    })
}
