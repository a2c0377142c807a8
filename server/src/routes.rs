//! HTTP routes: `GET /healthz` and the websocket upgrade at `/sync`.
//! Handlers only extract and upgrade; the connection lives in
//! [`crate::connection`].

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use futures::{SinkExt, StreamExt};

use crate::connection::{self, ConnectionLimits};
use crate::frame::Frame;
use crate::state::AppState;

/// The relay's router.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/status", get(status))
        .route("/sync", get(sync))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Live figures for operators, as JSON: connected peers and documents
/// currently held in memory.
async fn status(State(state): State<AppState>) -> axum::Json<Status> {
    axum::Json(Status {
        peers: state.hub.peer_count(),
        loaded_documents: state.hub.loaded_documents(),
    })
}

#[derive(Debug, serde::Serialize)]
struct Status {
    peers: usize,
    loaded_documents: usize,
}

async fn sync(State(state): State<AppState>, ws: WebSocketUpgrade) -> Response {
    // Frames slightly over the protocol limit still arrive whole, so the
    // peer can be told why its message was refused.
    let transport_limit = state.limits.max_message_bytes.saturating_add(64 * 1024);
    let hub = state.hub.clone();
    let limits: ConnectionLimits = state.limits.clone();
    let shutdown = state.shutdown.clone();
    let tasks = hub.tasks().clone();
    ws.max_message_size(transport_limit)
        .max_frame_size(transport_limit)
        .on_upgrade(move |socket| {
            tasks.track_future(connection::serve(frames(socket), hub, limits, shutdown))
        })
}

/// Adapts axum's websocket to [`Frame`]s. A transport error ends the stream.
fn frames(socket: WebSocket) -> impl futures::Stream<Item = Frame> + futures::Sink<Frame> + Unpin {
    socket
        .with(|f: Frame| {
            futures::future::ready(Ok::<_, axum::Error>(match f {
                Frame::Binary(b) => WsMessage::Binary(b.into()),
                Frame::Text(t) => WsMessage::Text(t.into()),
                Frame::Ping(p) => WsMessage::Ping(p.into()),
                Frame::Pong(p) => WsMessage::Pong(p.into()),
                Frame::Close => WsMessage::Close(None),
            }))
        })
        .take_while(|m| futures::future::ready(m.is_ok()))
        .filter_map(|m| {
            futures::future::ready(match m {
                Ok(WsMessage::Binary(b)) => Some(Frame::Binary(b.to_vec())),
                Ok(WsMessage::Text(t)) => Some(Frame::Text(t.to_string())),
                Ok(WsMessage::Ping(p)) => Some(Frame::Ping(p.to_vec())),
                Ok(WsMessage::Pong(p)) => Some(Frame::Pong(p.to_vec())),
                Ok(WsMessage::Close(_)) => Some(Frame::Close),
                Err(_) => None,
            })
        })
}
