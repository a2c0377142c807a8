//! One peer's connection: the `join`/`peer` handshake, then every message in
//! both directions until either side closes.
//!
//! Generic over any `Stream` + `Sink` of [`Frame`]s. Anything malformed ends
//! the connection with an `error` message that says what was wrong, then a
//! close frame whose code says why in a way a program can act on
//! ([`CloseReason`]); the relay and other peers carry on. So do closes from
//! outside (a revoked token, the relay shutting down): every deliberate
//! close carries its code.

use std::collections::HashSet;
use std::time::Duration;

use futures::{FutureExt, Sink, SinkExt, Stream, StreamExt};
use linli_protocol::{
    CloseReason, DecodeError, DocumentId, Frame, HandshakeError, Liveness, LivenessPolicy, Message,
    PeerId, PeerMetadata, SyncData, SyncKind, Verdict, handshake,
};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info};

use crate::access::{self, PeerIdentity};
use crate::auth::Grant;
use crate::closer::Closer;
use crate::conn_context::ConnContext;
use crate::doc_actor::DocCommand;
use crate::metrics::RefusalReason;
use crate::outbound::{ConnRef, Outbound};
use crate::rate_limit::RateLimit;

/// Settings one connection needs.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    pub max_message_bytes: usize,
    pub join_timeout: Duration,
    pub peer_queue: usize,
    /// Sent in `peer` so clients can tell relays apart.
    pub storage_id: String,
    pub max_messages_per_sec: u32,
    pub max_docs: usize,
    pub idle_timeout: Duration,
}

/// Why a connection ended early: the text goes to the peer in `error`,
/// the reason in the close frame.
struct Refusal {
    why: String,
    close: CloseReason,
}

impl Refusal {
    fn new(close: CloseReason, why: impl Into<String>) -> Self {
        Self {
            why: why.into(),
            close,
        }
    }
}

/// Runs one connection to the end.
pub async fn serve<S>(
    mut socket: S,
    relay: ConnContext,
    grant: Grant,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
) where
    S: Stream<Item = Frame> + Sink<Frame> + Unpin,
{
    let _open = relay.metrics.connection_opened(grant.role.as_str());
    let join = tokio::select! {
        () = shutdown.cancelled() => return,
        j = tokio::time::timeout(limits.join_timeout, socket.next()) => j,
    };
    let frame = match join {
        Err(_) => {
            let why = Refusal::new(CloseReason::TimedOut, "no join message received in time");
            refuse(&mut socket, &relay, None, why).await;
            return;
        }
        Ok(None) => return,
        Ok(Some(frame)) => frame,
    };
    let peer_id = match handshake::accept_join(&frame, limits.max_message_bytes) {
        Ok(hello) => hello.peer_id,
        Err(HandshakeError::Closed) => return,
        Err(e) => {
            let close = match &e {
                HandshakeError::TextFrame => CloseReason::TextFrame,
                HandshakeError::Invalid(DecodeError::TooLarge { .. }) => {
                    relay.metrics.refused(RefusalReason::Size);
                    CloseReason::TooLarge
                }
                _ => CloseReason::ProtocolError,
            };
            refuse(
                &mut socket,
                &relay,
                None,
                Refusal::new(close, e.to_string()),
            )
            .await;
            return;
        }
    };
    let peer = handshake::peer(
        &relay.relay_id,
        &peer_id,
        PeerMetadata::durable(limits.storage_id.clone()),
    );
    run_bound(
        socket,
        relay,
        grant,
        limits,
        shutdown,
        peer_id,
        Some(peer),
        None,
    )
    .await;
}

/// Runs a connection this relay dialed (its upstream hub), after the
/// handshake: `remote` is the peer id the other end answered `peer` with.
/// `opened` gets the connection's handle once it is bound, through which
/// the dialer offers documents ([`Outbound::Offer`]). The same session as
/// for an accepted connection: access is decided by `grant`.
pub async fn run_dialed<S>(
    socket: S,
    relay: ConnContext,
    grant: Grant,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
    remote: PeerId,
    opened: oneshot::Sender<ConnRef>,
) where
    S: Stream<Item = Frame> + Sink<Frame> + Unpin,
{
    let _open = relay.metrics.connection_opened(grant.role.as_str());
    run_bound(
        socket,
        relay,
        grant,
        limits,
        shutdown,
        remote,
        None,
        Some(opened),
    )
    .await;
}

/// Binds `peer_id`, sends `hello` (the `peer` answer, on an accepted
/// connection), and runs the session until the connection ends.
#[allow(clippy::too_many_arguments)]
async fn run_bound<S>(
    mut socket: S,
    relay: ConnContext,
    grant: Grant,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
    peer_id: PeerId,
    hello: Option<Message>,
    opened: Option<oneshot::Sender<ConnRef>>,
) where
    S: Stream<Item = Frame> + Sink<Frame> + Unpin,
{
    let Some((conn_id, close)) = relay.peers.bind(&peer_id, &grant.name) else {
        let why = format!("peer id {peer_id} is in use by another token's connection");
        let why = Refusal::new(CloseReason::NotAllowed, why);
        refuse(&mut socket, &relay, Some(&peer_id), why).await;
        return;
    };
    let (tx, rx) = mpsc::channel(limits.peer_queue.max(1));
    let conn = ConnRef::new(conn_id, tx, close.clone());
    if let Some(opened) = opened {
        let _ = opened.send(conn.clone());
    }
    info!(peer = %peer_id, conn = conn_id, token = %grant.name, "peer joined");
    let token_name = grant.name.clone();
    relay.peers.seen(&token_name, crate::wall_clock_millis());
    let rate = RateLimit::new(limits.max_messages_per_sec);
    let mut session = Session {
        relay: relay.clone(),
        identity: PeerIdentity {
            peer_id: peer_id.clone(),
            grant,
        },
        conn,
        limits,
        docs: HashSet::new(),
        rate,
    };
    let greeted = match hello {
        Some(hello) => socket.send(Frame::Binary(hello.encode())).await.is_ok(),
        None => true,
    };
    if greeted {
        session.run(&mut socket, rx, close, shutdown).await;
    }
    for doc in session.docs.drain() {
        relay.docs.send(
            doc,
            DocCommand::Detach {
                peer: peer_id.clone(),
                conn_id,
            },
        );
    }
    relay.peers.unbind(&peer_id, conn_id);
    relay.peers.seen(&token_name, crate::wall_clock_millis());
    info!(peer = %peer_id, conn = conn_id, "peer left");
}

fn binary(frame: Frame) -> Result<Vec<u8>, Refusal> {
    match frame {
        Frame::Binary(b) => Ok(b),
        Frame::Text(_) => Err(Refusal::new(
            CloseReason::TextFrame,
            "text frames are not part of the protocol; send CBOR in binary frames",
        )),
        other => Err(Refusal::new(
            CloseReason::ProtocolError,
            format!("unexpected {} frame", other.kind()),
        )),
    }
}

/// Sends `error` with the refusal's text, then a close frame with its
/// reason.
///
/// Then it lingers, reading and discarding, until the peer closes too (at
/// most [`LINGER`]): closing a TCP socket with unread data makes the kernel
/// reset the connection, and the peer would lose the error it was sent.
/// Sending is bounded by [`LINGER`] too: a peer that reads nothing cannot
/// hold the connection open.
async fn refuse<S>(socket: &mut S, relay: &ConnContext, peer: Option<&PeerId>, refusal: Refusal)
where
    S: Stream<Item = Frame> + Sink<Frame> + Unpin,
{
    let Refusal { why, close } = refusal;
    debug!(peer = ?peer.map(PeerId::as_str), reason = %why, code = close.code(), "closing connection");
    let error = Message::Error {
        message: why,
        sender_id: Some(relay.relay_id.clone()),
        target_id: peer.cloned(),
    };
    let sent = tokio::time::timeout(LINGER, async {
        // Results are not held across an await: the socket's error type
        // need not be `Send`.
        let told = socket.send(Frame::Binary(error.encode())).await.is_ok();
        told && socket.send(Frame::close(close)).await.is_ok()
    })
    .await
    .unwrap_or(false);
    if !sent {
        return;
    }
    let _ = tokio::time::timeout(LINGER, async {
        while let Some(frame) = socket.next().await {
            if matches!(frame, Frame::Close(_)) {
                break;
            }
        }
    })
    .await;
}

/// How long a refused connection is drained before it is dropped.
const LINGER: Duration = Duration::from_secs(2);

/// What the relay tells a peer whose connection is closed from outside.
fn closed_from_outside(close: CloseReason) -> Refusal {
    let why = match close {
        CloseReason::Revoked => {
            "this device's token was revoked by the street office; ask them for a new one"
        }
        CloseReason::AccessChanged => {
            "this device's access was changed by the street office; reconnect"
        }
        CloseReason::Replaced => "the same device connected again; this connection is replaced",
        CloseReason::TooManyMessages => {
            "this peer did not read what the relay sent fast enough; reconnect"
        }
        other => other.reason(),
    };
    Refusal::new(close, why)
}

struct Session {
    relay: ConnContext,
    identity: PeerIdentity,
    conn: ConnRef,
    limits: ConnectionLimits,
    /// Documents this connection has touched, detached when it ends.
    docs: HashSet<DocumentId>,
    rate: RateLimit,
}

/// What to do after one incoming frame.
enum Next {
    Continue,
    Close,
}

impl Session {
    async fn run<S>(
        &mut self,
        socket: &mut S,
        mut rx: mpsc::Receiver<Outbound>,
        close: Closer,
        shutdown: CancellationToken,
    ) where
        S: Stream<Item = Frame> + Sink<Frame> + Unpin,
    {
        let peer = self.identity.peer_id.clone();
        let idle = self.limits.idle_timeout;
        let policy = LivenessPolicy {
            ping_after: (idle / 3).max(Duration::from_millis(100)),
            give_up_after: idle,
        };
        // The driver's clock: milliseconds since the session started.
        let origin = Instant::now();
        let now = || u64::try_from(origin.elapsed().as_millis()).unwrap_or(u64::MAX);
        let at = |millis: u64| origin + Duration::from_millis(millis);
        let mut liveness = Liveness::new(policy, 0);
        let wake = tokio::time::sleep_until(at(liveness.next_wake()));
        tokio::pin!(wake);
        loop {
            tokio::select! {
                () = &mut wake => {
                    match liveness.poll(now()) {
                        Verdict::GiveUp { .. } => {
                            let why = Refusal::new(CloseReason::TimedOut, "connection idle for too long");
                            refuse(socket, &self.relay, Some(&peer), why).await;
                            return;
                        }
                        Verdict::Ping => {
                            if socket.send(Frame::Ping(Vec::new())).await.is_err() {
                                return;
                            }
                        }
                        Verdict::Fine => {}
                    }
                    wake.as_mut().reset(at(liveness.next_wake()));
                }
                () = shutdown.cancelled() => {
                    let bye = socket.send(Frame::close(CloseReason::ShuttingDown));
                    let _ = tokio::time::timeout(LINGER, bye).await;
                    return;
                }
                why = close.closed() => {
                    refuse(socket, &self.relay, Some(&peer), closed_from_outside(why)).await;
                    return;
                }
                out = rx.recv() => match out {
                    Some(Outbound::Frame(bytes)) => {
                        let sent = tokio::select! {
                            // Mapped to a bool: the socket's error type need
                            // not be `Send`, and the close arm awaits.
                            sent = socket.send(Frame::Binary(bytes)).map(|r| r.is_ok()) => sent,
                            why = close.closed() => {
                                refuse(socket, &self.relay, Some(&peer), closed_from_outside(why)).await;
                                return;
                            }
                        };
                        if !sent {
                            return;
                        }
                    }
                    Some(Outbound::Fatal(why, close)) => {
                        refuse(socket, &self.relay, Some(&peer), Refusal::new(close, why)).await;
                        return;
                    }
                    Some(Outbound::Offer(doc, restart)) => self.offer(doc, restart),
                    None => return,
                },
                frame = socket.next() => {
                    let Some(frame) = frame else { return };
                    liveness.heard(now());
                    match self.on_frame(frame).await {
                        Ok(Next::Continue) => {}
                        Ok(Next::Close) => {
                            let bye = socket.send(Frame::close(CloseReason::Normal));
                            let _ = tokio::time::timeout(LINGER, bye).await;
                            return;
                        }
                        Err(refusal) => {
                            refuse(socket, &self.relay, Some(&peer), refusal).await;
                            return;
                        }
                    }
                }
            }
        }
    }

    async fn on_frame(&mut self, frame: Frame) -> Result<Next, Refusal> {
        let bytes = match frame {
            Frame::Ping(_) | Frame::Pong(_) => return Ok(Next::Continue),
            Frame::Close(_) => return Ok(Next::Close),
            other => binary(other)?,
        };
        if !self.rate.allow(Instant::now()) {
            self.relay.metrics.refused(RefusalReason::Rate);
            return Err(Refusal::new(
                CloseReason::TooManyMessages,
                format!(
                    "too many messages: this relay accepts {} per second per connection",
                    self.limits.max_messages_per_sec
                ),
            ));
        }
        let message = Message::decode(&bytes, self.limits.max_message_bytes).map_err(|e| {
            let close = match e {
                DecodeError::TooLarge { .. } => {
                    self.relay.metrics.refused(RefusalReason::Size);
                    CloseReason::TooLarge
                }
                _ => CloseReason::ProtocolError,
            };
            Refusal::new(close, format!("invalid message: {e}"))
        })?;
        self.relay
            .metrics
            .message_received(message.type_name(), bytes.len());
        if let Some(sender) = message.sender_id()
            && *sender != self.identity.peer_id
        {
            return Err(Refusal::new(
                CloseReason::NotAllowed,
                format!(
                    "message claims sender {sender}, but this connection joined as {}",
                    self.identity.peer_id
                ),
            ));
        }
        match message {
            Message::Request(d) => self.on_sync(SyncKind::Request, d).await,
            Message::Sync(d) => self.on_sync(SyncKind::Sync, d).await,
            Message::DocUnavailable { document_id, .. } => {
                if self.docs.contains(&document_id) {
                    self.relay.docs.send(
                        document_id,
                        DocCommand::Unavailable {
                            peer: self.identity.peer_id.clone(),
                            conn_id: self.conn.conn_id,
                        },
                    );
                }
                Ok(Next::Continue)
            }
            Message::Ephemeral {
                document_id,
                session_id,
                count,
                data,
                ..
            } => {
                if self.access(&document_id).is_some() {
                    self.relay.docs.send(
                        document_id,
                        DocCommand::Ephemeral {
                            peer: self.identity.peer_id.clone(),
                            conn: self.conn.clone(),
                            session_id,
                            count,
                            data,
                        },
                    );
                } else {
                    self.unavailable(document_id);
                }
                Ok(Next::Continue)
            }
            Message::Leave { .. } | Message::Error { .. } => Ok(Next::Close),
            Message::RemoteSubscriptionChange { .. } | Message::RemoteHeadsChanged { .. } => {
                Ok(Next::Continue)
            }
            Message::Join { .. } | Message::Peer { .. } => Err(Refusal::new(
                CloseReason::ProtocolError,
                format!(
                    "unexpected {} message after the handshake",
                    message.type_name()
                ),
            )),
        }
    }

    async fn on_sync(&mut self, kind: SyncKind, d: SyncData) -> Result<Next, Refusal> {
        let Some(access) = self.access(&d.document_id) else {
            self.unavailable(d.document_id);
            return Ok(Next::Continue);
        };
        if d.data.is_empty() {
            return Err(Refusal::new(
                CloseReason::ProtocolError,
                format!(
                    "{} for document {} carries no sync data",
                    if kind == SyncKind::Request {
                        "request"
                    } else {
                        "sync"
                    },
                    d.document_id
                ),
            ));
        }
        if !self.docs.contains(&d.document_id) && self.docs.len() >= self.limits.max_docs {
            return Err(Refusal::new(
                CloseReason::NotAllowed,
                format!(
                    "too many documents: this relay syncs at most {} per connection",
                    self.limits.max_docs
                ),
            ));
        }
        self.docs.insert(d.document_id);
        let (done, finished) = oneshot::channel();
        self.relay.docs.send(
            d.document_id,
            DocCommand::Sync {
                peer: self.identity.peer_id.clone(),
                conn: self.conn.clone(),
                access,
                token: self.identity.grant.name.clone(),
                kind,
                data: d.data,
                done,
            },
        );
        // One message at a time per connection: a peer cannot queue unbounded
        // work on the relay, and its messages are handled in order.
        let _ = finished.await;
        Ok(Next::Continue)
    }

    /// Starts syncing `doc` with the other end unasked: only on a
    /// connection this relay dialed, and only for what its grant allows.
    fn offer(&mut self, doc: DocumentId, restart: bool) {
        let Some(access) = self.access(&doc) else {
            return;
        };
        self.docs.insert(doc);
        self.relay.docs.send(
            doc,
            DocCommand::Offer {
                peer: self.identity.peer_id.clone(),
                conn: self.conn.clone(),
                access,
                token: self.identity.grant.name.clone(),
                restart,
            },
        );
    }

    fn access(&self, doc: &DocumentId) -> Option<linli_protocol::Access> {
        access::decide(&self.identity.grant, doc, &self.relay.directory.index())
    }

    fn unavailable(&self, doc: DocumentId) {
        let message = Message::DocUnavailable {
            sender_id: self.relay.relay_id.clone(),
            target_id: self.identity.peer_id.clone(),
            document_id: doc,
        };
        let bytes = message.encode();
        self.relay
            .metrics
            .message_sent(message.type_name(), bytes.len());
        self.conn.send(Outbound::Frame(bytes));
    }
}

#[cfg(test)]
mod tests;
