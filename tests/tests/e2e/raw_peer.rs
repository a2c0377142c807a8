//! A peer that speaks the wire protocol by hand, to send what well-behaved
//! peers never would and to see exactly what the relay answers.

use automerge::Automerge;
use futures::{SinkExt, StreamExt};
use linli_protocol::{
    Access, DocSync, DocumentId, Message, PeerId, PeerMetadata, SyncKind, handshake,
};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as Ws;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::relay_process::PATIENCE;

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What came back from the relay.
#[derive(Debug)]
pub enum Got {
    Message(Message),
    /// The relay closed the connection (or it dropped).
    Closed,
    /// Any other frame (shown when a test fails on it).
    Other(#[allow(dead_code)] Ws),
}

pub struct RawPeer {
    pub socket: Socket,
    pub id: PeerId,
    pub relay: Option<PeerId>,
}

impl RawPeer {
    /// Opens a socket without joining.
    pub async fn connect(url: &str, id: &str) -> Self {
        let (socket, _) = tokio::time::timeout(PATIENCE, tokio_tungstenite::connect_async(url))
            .await
            .expect("connect timed out")
            .expect("connect");
        Self {
            socket,
            id: PeerId::new(id),
            relay: None,
        }
    }

    /// Connects and completes the join/peer handshake.
    pub async fn join(url: &str, id: &str) -> Self {
        let mut peer = Self::connect(url, id).await;
        let join = handshake::join(&peer.id, PeerMetadata::default());
        peer.send(&join).await;
        match peer.recv().await {
            Got::Message(Message::Peer {
                sender_id,
                target_id,
                ..
            }) => {
                assert_eq!(target_id, peer.id);
                peer.relay = Some(sender_id);
            }
            other => panic!("expected peer, got {other:?}"),
        }
        peer
    }

    pub fn relay_id(&self) -> PeerId {
        self.relay.clone().unwrap_or_else(|| PeerId::new("relay"))
    }

    pub async fn send(&mut self, m: &Message) {
        self.send_raw(Ws::Binary(m.encode().into())).await;
    }

    pub async fn send_raw(&mut self, frame: Ws) {
        // The relay may already have closed on us; the test looks at what
        // comes back, not at whether this send worked.
        let _ = self.socket.send(frame).await;
    }

    /// Next protocol message or close, skipping pings.
    pub async fn recv(&mut self) -> Got {
        loop {
            let next = tokio::time::timeout(PATIENCE, self.socket.next())
                .await
                .expect("relay said nothing in time");
            match next {
                None | Some(Err(_)) | Some(Ok(Ws::Close(_))) => return Got::Closed,
                Some(Ok(Ws::Binary(b))) => {
                    return Got::Message(
                        Message::decode(&b, usize::MAX).expect("relay sent valid CBOR"),
                    );
                }
                Some(Ok(Ws::Ping(_) | Ws::Pong(_))) => continue,
                Some(Ok(other)) => return Got::Other(other),
            }
        }
    }

    /// Reads until the relay closes; its close frame's code and reason
    /// (`None` if the connection dropped without one).
    pub async fn recv_close(&mut self) -> Option<(u16, String)> {
        loop {
            let next = tokio::time::timeout(PATIENCE, self.socket.next())
                .await
                .expect("relay did not close in time");
            match next {
                Some(Ok(Ws::Close(frame))) => {
                    return frame.map(|f| (f.code.into(), f.reason.as_str().to_owned()));
                }
                None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            }
        }
    }

    /// Expects an `error` message whose text contains `needle`, then a close.
    pub async fn expect_error(&mut self, needle: &str) {
        match self.recv().await {
            Got::Message(Message::Error { message, .. }) => {
                assert!(
                    message.contains(needle),
                    "error {message:?} should mention {needle:?}"
                );
            }
            other => panic!("expected an error about {needle:?}, got {other:?}"),
        }
        loop {
            match self.recv().await {
                Got::Closed => return,
                Got::Message(m) => panic!("expected close after error, got {m:?}"),
                Got::Other(_) => continue,
            }
        }
    }

    /// Syncs `doc` with the relay until neither side has more to say.
    /// Returns the relay's last answer kind (sync or doc-unavailable).
    pub async fn sync_doc(&mut self, doc: &mut DocSync) -> Option<&'static str> {
        match self.try_sync_doc(doc).await {
            Ok(kind) => kind,
            Err(other) => panic!("unexpected {other:?} while syncing"),
        }
    }

    /// [`Self::sync_doc`], handing back anything else the relay sent (an
    /// error, a close) instead of failing.
    pub async fn try_sync_doc(&mut self, doc: &mut DocSync) -> Result<Option<&'static str>, Got> {
        let relay = self.relay_id();
        if !doc.is_attached(&relay) {
            doc.attach(relay.clone(), Access::ReadWrite);
        }
        let mut last = None;
        loop {
            for m in doc.outgoing() {
                self.send(&m).await;
            }
            if doc.in_sync_with(&relay) {
                return Ok(last.or(Some("sync")));
            }
            match self.recv().await {
                Got::Message(Message::Sync(d)) => {
                    doc.receive(&relay, SyncKind::Sync, &d.data)
                        .expect("relay sync data");
                    last = Some("sync");
                }
                Got::Message(Message::DocUnavailable { .. }) => {
                    doc.receive_unavailable(&relay);
                    return Ok(Some("doc-unavailable"));
                }
                other => return Err(other),
            }
        }
    }
}

/// A fresh session for a new document with one field set.
pub fn new_doc(me: &str, key: &str, value: &str) -> DocSync {
    use automerge::ROOT;
    use automerge::transaction::Transactable;
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    tx.put(ROOT, key, value).expect("put");
    tx.commit();
    DocSync::new(DocumentId::random(&mut rand::rng()), PeerId::new(me), doc).requesting()
}

/// An empty session for a document someone else made.
pub fn wanted_doc(me: &str, id: DocumentId) -> DocSync {
    DocSync::new(id, PeerId::new(me), Automerge::new()).requesting()
}
