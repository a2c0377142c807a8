//! HTTP routes: `GET /livez`, `GET /readyz` and `GET /healthz` (probes,
//! see [`health`]), `GET /status` (live figures),
//! `GET /audit?doc=` (who stored which change), `GET /api/me` (who a token
//! is, or why it is refused), `/api/office/…` (the street office's pages,
//! see [`office`]), the websocket upgrade at `/sync`, and the
//! field app (web/, embedded at build time) at `/` and every other path.
//! Handlers only extract, authorize and upgrade; the connection lives in
//! [`crate::connection`].

mod health;
mod me;
mod office;
mod web_app;

use axum::Router;
use axum::extract::ws::{CloseFrame as WsClose, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;
use futures::{SinkExt, StreamExt};
use linli_protocol::{CloseFrame, Frame};

use crate::auth::token;
use crate::connection::{self, ConnectionLimits};
use crate::metrics::RefusalReason;
use crate::state::AppState;

/// The relay's router.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/livez", get(health::livez))
        .route("/readyz", get(health::readyz))
        .route("/healthz", get(health::livez))
        .route("/status", get(status))
        .route("/audit", get(audit))
        .route("/api/me", get(me::me))
        .nest("/api/office", office::routes())
        .route("/sync", get(sync))
        .fallback(get(web_app::serve))
        .with_state(state)
}

/// The grant of the request's token, or the 401 to answer with.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<crate::auth::Grant, Box<Response>> {
    let token = token::from_request(headers, query);
    state
        .grants
        .authenticate(token.as_deref(), &state.storage)
        .await
        .map_err(|e| {
            state.relay.metrics.refused(RefusalReason::Auth);
            Box::new((StatusCode::UNAUTHORIZED, format!("{e}\n")).into_response())
        })
}

/// Live figures for operators, as JSON: connected peers and documents
/// currently held in memory.
async fn status(State(state): State<AppState>) -> axum::Json<Status> {
    axum::Json(Status {
        peers: state.relay.peers.count(),
        loaded_documents: state.relay.docs.loaded(),
    })
}

#[derive(Debug, serde::Serialize)]
struct Status {
    peers: usize,
    loaded_documents: usize,
}

/// The audit log of one document (`?doc=<automerge URL or id>`), for a
/// token that may read that document: which token stored which change, when.
async fn audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let grant = match authenticate(&state, &headers, query.as_deref()).await {
        Ok(grant) => grant,
        Err(refusal) => return *refusal,
    };
    let doc = query
        .as_deref()
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "doc")
        .and_then(|(_, v)| {
            linli_protocol::DocumentId::parse_id_or_url(&v.replace("%3A", ":")).ok()
        });
    let Some(doc) = doc else {
        return (StatusCode::BAD_REQUEST, "give ?doc=<automerge URL>\n").into_response();
    };
    if crate::access::decide(&grant, &doc, &state.relay.directory.index()).is_none() {
        return (StatusCode::NOT_FOUND, "no such document\n").into_response();
    }
    match state.storage.audit(doc, 0).await {
        Ok(entries) => axum::Json(
            entries
                .into_iter()
                .map(|e| AuditLine {
                    change: e.change_hash,
                    token: e.token_name,
                    at: e.at,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "audit lookup failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "audit lookup failed\n").into_response()
        }
    }
}

#[derive(Debug, serde::Serialize)]
struct AuditLine {
    change: String,
    token: String,
    at: i64,
}

/// Each connection's websocket read buffer. tungstenite's default, 128 KiB,
/// is filled (zeroed) on the first read, so it was most of an idle peer's
/// memory; a bigger frame still grows the buffer to fit it.
const READ_BUFFER_BYTES: usize = 4 * 1024;

/// Frames are written out once this much is queued (or on flush, which the
/// connection does after every message).
const WRITE_BUFFER_BYTES: usize = 16 * 1024;

/// Authenticates before upgrading: no valid token, no websocket.
async fn sync(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    ws: WebSocketUpgrade,
) -> Response {
    let grant = match authenticate(&state, &headers, query.as_deref()).await {
        Ok(grant) => grant,
        Err(refusal) => return *refusal,
    };
    if state.relay.peers.count() >= state.max_connections {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the relay is at its connection limit; try again later\n",
        )
            .into_response();
    }
    if state.relay.peers.connections_of(&grant.name) >= state.max_connections_per_token {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "this token already has {} open connections, the most allowed\n",
                state.max_connections_per_token
            ),
        )
            .into_response();
    }
    // Frames slightly over the protocol limit still arrive whole, so the
    // peer can be told why its message was refused.
    let transport_limit = state.limits.max_message_bytes.saturating_add(64 * 1024);
    let relay = state.relay.clone();
    let limits: ConnectionLimits = state.limits.clone();
    let shutdown = state.shutdown.clone();
    let tasks = state.tasks.clone();
    let path = state.upstream.path(&state.limits.storage_id);
    let district = state
        .relay
        .directory
        .is_hub()
        .then(|| state.relay.directory.id())
        .flatten();
    let mut response = ws
        .max_message_size(transport_limit)
        .max_frame_size(transport_limit)
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .on_upgrade(move |socket| {
            tasks.track_future(connection::serve(
                frames(socket),
                relay,
                grant,
                limits,
                shutdown,
            ))
        });
    // A relay dialing up learns the path to the root (to refuse a cycle)
    // and, from a hub, its district directory (see `crate::upstream`).
    if let Ok(v) = axum::http::HeaderValue::from_str(&path) {
        response
            .headers_mut()
            .insert(crate::upstream::PATH_HEADER, v);
    }
    if let Some(d) = district
        && let Ok(v) = axum::http::HeaderValue::from_str(&d.url())
    {
        response
            .headers_mut()
            .insert(crate::upstream::DISTRICT_HEADER, v);
    }
    response
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
                Frame::Close(close) => WsMessage::Close(close.map(|c| WsClose {
                    code: c.code,
                    reason: c.reason.into(),
                })),
            }))
        })
        .take_while(|m| futures::future::ready(m.is_ok()))
        .filter_map(|m| {
            futures::future::ready(match m {
                Ok(WsMessage::Binary(b)) => Some(Frame::Binary(b.to_vec())),
                Ok(WsMessage::Text(t)) => Some(Frame::Text(t.to_string())),
                Ok(WsMessage::Ping(p)) => Some(Frame::Ping(p.to_vec())),
                Ok(WsMessage::Pong(p)) => Some(Frame::Pong(p.to_vec())),
                Ok(WsMessage::Close(close)) => Some(Frame::Close(close.map(|c| CloseFrame {
                    code: c.code,
                    reason: c.reason.to_string(),
                }))),
                Err(_) => None,
            })
        })
}
