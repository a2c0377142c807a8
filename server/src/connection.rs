//! One peer's connection: the `join`/`peer` handshake, then every message in
//! both directions until either side closes.
//!
//! Generic over any `Stream` + `Sink` of [`Frame`]s. Anything malformed ends
//! the connection with an `error` message that says what was wrong; the
//! relay and other peers carry on.

use std::collections::HashSet;
use std::time::Duration;

use futures::{Sink, SinkExt, Stream, StreamExt};
use linli_protocol::{
    DocumentId, Frame, HandshakeError, Liveness, LivenessPolicy, Message, PeerId, PeerMetadata,
    SyncData, SyncKind, Verdict, handshake,
};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info};

use crate::access::{self, PeerIdentity};
use crate::auth::Grant;
use crate::conn_context::ConnContext;
use crate::doc_actor::DocCommand;
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

/// Why a connection ended early; the text goes to the peer in `error`.
struct Refusal(String);

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
    let join = tokio::select! {
        () = shutdown.cancelled() => return,
        j = tokio::time::timeout(limits.join_timeout, socket.next()) => j,
    };
    let frame = match join {
        Err(_) => {
            refuse(
                &mut socket,
                &relay,
                None,
                "no join message received in time",
            )
            .await;
            return;
        }
        Ok(None) => return,
        Ok(Some(frame)) => frame,
    };
    let peer_id = match handshake::accept_join(&frame, limits.max_message_bytes) {
        Ok(hello) => hello.peer_id,
        Err(HandshakeError::Closed) => return,
        Err(e) => {
            refuse(&mut socket, &relay, None, &e.to_string()).await;
            return;
        }
    };
    let Some((conn_id, close)) = relay.peers.bind(&peer_id, &grant.name) else {
        let why = format!("peer id {peer_id} is in use by another token's connection");
        refuse(&mut socket, &relay, Some(&peer_id), &why).await;
        return;
    };
    let (tx, rx) = mpsc::channel(limits.peer_queue.max(1));
    let conn = ConnRef::new(conn_id, tx, close.clone());
    let peer = handshake::peer(
        &relay.relay_id,
        &peer_id,
        PeerMetadata::durable(limits.storage_id.clone()),
    );
    info!(peer = %peer_id, conn = conn_id, token = %grant.name, "peer joined");
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
    if socket.send(Frame::Binary(peer.encode())).await.is_ok() {
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
    info!(peer = %peer_id, conn = conn_id, "peer left");
}

fn binary(frame: Frame) -> Result<Vec<u8>, Refusal> {
    match frame {
        Frame::Binary(b) => Ok(b),
        Frame::Text(_) => Err(Refusal(
            "text frames are not part of the protocol; send CBOR in binary frames".into(),
        )),
        other => Err(Refusal(format!("unexpected frame {other:?}"))),
    }
}

/// Sends `error` with `why` and closes.
///
/// Then it lingers, reading and discarding, until the peer closes too (at
/// most [`LINGER`]): closing a TCP socket with unread data makes the kernel
/// reset the connection, and the peer would lose the error it was sent.
async fn refuse<S>(socket: &mut S, relay: &ConnContext, peer: Option<&PeerId>, why: &str)
where
    S: Stream<Item = Frame> + Sink<Frame> + Unpin,
{
    debug!(peer = ?peer.map(PeerId::as_str), reason = why, "closing connection");
    let error = Message::Error {
        message: why.to_owned(),
        sender_id: Some(relay.relay_id.clone()),
        target_id: peer.cloned(),
    };
    let _ = socket.send(Frame::Binary(error.encode())).await;
    let _ = socket.send(Frame::Close).await;
    let _ = tokio::time::timeout(LINGER, async {
        while let Some(frame) = socket.next().await {
            if frame == Frame::Close {
                break;
            }
        }
    })
    .await;
}

/// How long a refused connection is drained before it is dropped.
const LINGER: Duration = Duration::from_secs(2);

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
        close: CancellationToken,
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
                            refuse(socket, &self.relay, Some(&peer), "connection idle for too long").await;
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
                    let _ = socket.send(Frame::Close).await;
                    return;
                }
                () = close.cancelled() => return,
                out = rx.recv() => match out {
                    Some(Outbound::Frame(bytes)) => {
                        let sent = tokio::select! {
                            r = socket.send(Frame::Binary(bytes)) => r.is_ok(),
                            () = close.cancelled() => false,
                        };
                        if !sent {
                            return;
                        }
                    }
                    Some(Outbound::Fatal(why)) => {
                        refuse(socket, &self.relay, Some(&peer), &why).await;
                        return;
                    }
                    None => return,
                },
                frame = socket.next() => {
                    let Some(frame) = frame else { return };
                    liveness.heard(now());
                    match self.on_frame(frame).await {
                        Ok(Next::Continue) => {}
                        Ok(Next::Close) => return,
                        Err(Refusal(why)) => {
                            refuse(socket, &self.relay, Some(&peer), &why).await;
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
            Frame::Close => return Ok(Next::Close),
            other => binary(other)?,
        };
        if !self.rate.allow(Instant::now()) {
            return Err(Refusal(format!(
                "too many messages: this relay accepts {} per second per connection",
                self.limits.max_messages_per_sec
            )));
        }
        let message = Message::decode(&bytes, self.limits.max_message_bytes)
            .map_err(|e| Refusal(format!("invalid message: {e}")))?;
        if let Some(sender) = message.sender_id()
            && *sender != self.identity.peer_id
        {
            return Err(Refusal(format!(
                "message claims sender {sender}, but this connection joined as {}",
                self.identity.peer_id
            )));
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
            Message::Join { .. } | Message::Peer { .. } => Err(Refusal(format!(
                "unexpected {} message after the handshake",
                message.type_name()
            ))),
        }
    }

    async fn on_sync(&mut self, kind: SyncKind, d: SyncData) -> Result<Next, Refusal> {
        let Some(access) = self.access(&d.document_id) else {
            self.unavailable(d.document_id);
            return Ok(Next::Continue);
        };
        if d.data.is_empty() {
            return Err(Refusal(format!(
                "{} for document {} carries no sync data",
                if kind == SyncKind::Request {
                    "request"
                } else {
                    "sync"
                },
                d.document_id
            )));
        }
        if !self.docs.contains(&d.document_id) && self.docs.len() >= self.limits.max_docs {
            return Err(Refusal(format!(
                "too many documents: this relay syncs at most {} per connection",
                self.limits.max_docs
            )));
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

    fn access(&self, doc: &DocumentId) -> Option<linli_protocol::Access> {
        access::decide(&self.identity.grant, doc, &self.relay.directory.index())
    }

    fn unavailable(&self, doc: DocumentId) {
        self.conn.send(Outbound::Frame(
            Message::DocUnavailable {
                sender_id: self.relay.relay_id.clone(),
                target_id: self.identity.peer_id.clone(),
                document_id: doc,
            }
            .encode(),
        ));
    }
}

#[cfg(test)]
mod tests;
