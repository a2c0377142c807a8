//! Opening the websocket to the hub (tokio-tungstenite) and the protocol
//! handshake on it, as a device does: `join`, then the hub's `peer`.

use std::time::Duration;

use futures::{Sink, SinkExt, Stream, StreamExt, future};
use linli_protocol::{CloseFrame, DocumentId, Frame, PeerId, PeerMetadata, handshake};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, header::AUTHORIZATION};
use tokio_tungstenite::tungstenite::protocol::{CloseFrame as WsClose, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message as WsMessage};

/// How long opening the connection and the handshake may take.
const DIAL_TIMEOUT: Duration = Duration::from_secs(15);

/// An open link, after the handshake.
pub(super) struct Dialed<S> {
    pub socket: S,
    /// The hub's peer id, from its `peer`.
    pub hub: PeerId,
    /// The storage ids of the hub and the relays above it.
    pub path: Vec<String>,
    /// The hub's district directory, if it said.
    pub district: Option<DocumentId>,
}

/// Why the link could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum DialError {
    /// Retrying soon will not help: the token, the URL, a cycle.
    #[error("{0}")]
    Refused(String),
    /// Perhaps it works later: the hub is down, the network is gone.
    #[error("{0}")]
    Failed(String),
}

/// Dials `url` with `token`, as `me` with storage id `storage_id`, and
/// completes the handshake.
pub(super) async fn dial(
    url: &str,
    token: Option<&str>,
    me: &PeerId,
    storage_id: &str,
    max_message_bytes: usize,
) -> Result<Dialed<impl Stream<Item = Frame> + Sink<Frame> + Unpin + Send + use<>>, DialError> {
    let mut request = url
        .into_client_request()
        .map_err(|e| DialError::Refused(format!("invalid --upstream URL: {e}")))?;
    if let Some(token) = token {
        let mut value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
            DialError::Refused("the upstream token contains invalid characters".into())
        })?;
        value.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, value);
    }
    let limit = max_message_bytes.saturating_add(64 * 1024);
    let config = WebSocketConfig::default()
        .max_message_size(Some(limit))
        .max_frame_size(Some(limit));
    let connecting = tokio_tungstenite::connect_async_with_config(request, Some(config), true);
    let (ws, response) = tokio::time::timeout(DIAL_TIMEOUT, connecting)
        .await
        .map_err(|_| DialError::Failed("the hub did not answer in time".into()))?
        .map_err(|e| match e {
            tungstenite::Error::Http(r) if r.status().as_u16() == 401 => DialError::Refused(
                "the hub refused the upstream token (unknown or revoked): ask the district for a street-relay token".into(),
            ),
            tungstenite::Error::Url(e) => DialError::Refused(format!("invalid --upstream URL: {e}")),
            other => DialError::Failed(format!("cannot reach the hub: {other}")),
        })?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let path: Vec<String> = header(super::PATH_HEADER)
        .map(|p| p.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    if path.iter().any(|id| id == storage_id) {
        return Err(DialError::Refused(
            "the hub is this relay itself, or a relay below it: that would form a cycle, and the topology is a tree (street -> hub -> city hub)".into(),
        ));
    }
    let district =
        header(super::DISTRICT_HEADER).and_then(|d| DocumentId::parse_id_or_url(&d).ok());
    let mut socket = frames(ws);
    let join = handshake::join(me, PeerMetadata::durable(storage_id.to_owned()));
    if socket.send(Frame::Binary(join.encode())).await.is_err() {
        return Err(DialError::Failed("the hub closed the connection".into()));
    }
    let hub = tokio::time::timeout(DIAL_TIMEOUT, async {
        while let Some(frame) = socket.next().await {
            match handshake::read_peer(&frame, max_message_bytes) {
                Ok(Some(hello)) => return Ok(hello),
                Ok(None) => {}
                Err(e) => {
                    return Err(DialError::Failed(format!(
                        "the hub ended the handshake: {e}"
                    )));
                }
            }
        }
        Err(DialError::Failed("the hub closed the connection".into()))
    })
    .await
    .map_err(|_| DialError::Failed("the hub did not answer `join` in time".into()))??;
    if hub
        .metadata
        .as_ref()
        .and_then(|m| m.storage_id.as_deref())
        .is_some_and(|id| id == storage_id)
    {
        return Err(DialError::Refused(
            "the hub is this relay itself: a relay cannot be its own hub (the topology is a tree)"
                .into(),
        ));
    }
    Ok(Dialed {
        socket,
        hub: hub.peer_id,
        path,
        district,
    })
}

/// tungstenite's websocket as a `Stream + Sink` of [`Frame`]s; a transport
/// error ends the stream. (tungstenite answers pings by itself.)
fn frames<S>(ws: S) -> impl Stream<Item = Frame> + Sink<Frame> + Unpin + Send
where
    S: Stream<Item = Result<WsMessage, tungstenite::Error>>
        + Sink<WsMessage, Error = tungstenite::Error>
        + Unpin
        + Send,
{
    ws.take_while(|m| future::ready(m.is_ok()))
        .filter_map(|item| {
            future::ready(match item {
                Ok(WsMessage::Binary(b)) => Some(Frame::Binary(b.into())),
                Ok(WsMessage::Text(t)) => Some(Frame::Text(t.as_str().to_owned())),
                Ok(WsMessage::Ping(p)) => Some(Frame::Ping(p.into())),
                Ok(WsMessage::Pong(p)) => Some(Frame::Pong(p.into())),
                Ok(WsMessage::Close(close)) => Some(Frame::Close(close.map(|c| CloseFrame {
                    code: c.code.into(),
                    reason: c.reason.as_str().to_owned(),
                }))),
                Ok(WsMessage::Frame(_)) | Err(_) => None,
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
