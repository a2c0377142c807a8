//! The connection loop over channels instead of a socket, on tokio's paused
//! clock: handshake, a sync reaching its document, and the liveness policy.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};
use futures::channel::mpsc::{self, UnboundedReceiver, UnboundedSender};
use futures::{Sink, SinkExt, Stream, StreamExt};
use linli_protocol::{
    Access, CloseReason, DocSync, DocumentId, Frame, Message, PeerId, PeerMetadata, SyncKind,
    handshake,
};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{ConnectionLimits, serve};
use crate::auth::Grant;
use crate::conn_context::ConnContext;
use crate::doc_actor::DocContext;
use crate::documents::DocRegistry;
use crate::peers::PeerRegistry;
use crate::storage::Storage;
use crate::street_directory::StreetDirectory;

/// Far longer than anything a test waits for; free on the paused clock.
const PATIENCE: Duration = Duration::from_secs(24 * 3600);
const IDLE: Duration = Duration::from_secs(120);

/// The relay's end of an in-memory socket.
struct Duplex {
    incoming: UnboundedReceiver<Frame>,
    outgoing: UnboundedSender<Frame>,
}

impl Stream for Duplex {
    type Item = Frame;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Frame>> {
        Pin::new(&mut self.incoming).poll_next(cx)
    }
}

impl Sink<Frame> for Duplex {
    type Error = mpsc::SendError;
    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.outgoing).poll_ready(cx)
    }
    fn start_send(mut self: Pin<&mut Self>, item: Frame) -> Result<(), Self::Error> {
        Pin::new(&mut self.outgoing).start_send(item)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.outgoing).poll_flush(cx)
    }
    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.outgoing).poll_close(cx)
    }
}

/// A relay with no listener: registries, a temporary database, and one
/// connection loop at a time over channels.
struct Relay {
    ctx: ConnContext,
    storage: Storage,
    _dir: tempfile::TempDir,
}

impl Relay {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::open(&dir.path().join("relay.sqlite"), None).unwrap();
        let relay_id = PeerId::new("relay");
        let directory = StreetDirectory::none();
        let docs = DocRegistry::new(
            DocContext {
                storage: storage.clone(),
                relay_id: relay_id.clone(),
                idle_evict: Duration::from_secs(30),
                directory: directory.clone(),
                metrics: crate::metrics::Metrics::new(),
            },
            TaskTracker::new(),
            u64::MAX,
        );
        Self {
            ctx: ConnContext {
                relay_id,
                peers: PeerRegistry::new(),
                docs,
                directory,
                metrics: crate::metrics::Metrics::new(),
            },
            storage,
            _dir: dir,
        }
    }

    /// Starts a connection loop; returns the peer's end of it.
    fn connect(&self) -> Socket {
        let (to_relay, incoming) = mpsc::unbounded();
        let (outgoing, from_relay) = mpsc::unbounded();
        let limits = ConnectionLimits {
            max_message_bytes: 1024 * 1024,
            join_timeout: Duration::from_secs(10),
            peer_queue: 64,
            storage_id: "test-storage".into(),
            max_messages_per_sec: 200,
            max_docs: 100,
            idle_timeout: IDLE,
        };
        let task = tokio::spawn(serve(
            Duplex { incoming, outgoing },
            self.ctx.clone(),
            Grant::anonymous(),
            limits,
            CancellationToken::new(),
        ));
        Socket {
            to_relay,
            from_relay,
            task,
        }
    }
}

/// The peer's end of an in-memory socket.
struct Socket {
    to_relay: UnboundedSender<Frame>,
    from_relay: UnboundedReceiver<Frame>,
    task: JoinHandle<()>,
}

impl Socket {
    async fn send(&mut self, message: &Message) {
        self.to_relay
            .send(Frame::Binary(message.encode()))
            .await
            .unwrap();
    }

    /// The next frame the relay sent (`None`: it dropped the socket).
    async fn next_frame(&mut self) -> Option<Frame> {
        tokio::time::timeout(PATIENCE, self.from_relay.next())
            .await
            .unwrap()
    }

    /// The next protocol message, skipping pings.
    async fn recv(&mut self) -> Message {
        loop {
            match self.next_frame().await {
                Some(Frame::Binary(b)) => return Message::decode(&b, usize::MAX).unwrap(),
                Some(Frame::Ping(_)) => continue,
                other => panic!("expected a message, got {other:?}"),
            }
        }
    }

    async fn join(&mut self, me: &str) -> Message {
        self.send(&handshake::join(&PeerId::new(me), PeerMetadata::default()))
            .await;
        self.recv().await
    }
}

#[tokio::test(start_paused = true)]
async fn a_joined_peers_document_is_stored_and_answered() {
    let relay = Relay::new();
    let mut socket = relay.connect();
    let answer = socket.join("wang").await;
    assert!(
        matches!(&answer, Message::Peer { target_id, .. } if target_id.as_str() == "wang"),
        "{answer:?}"
    );

    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    tx.put(ROOT, "visited", "yes").unwrap();
    tx.commit();
    let id = DocumentId::random(&mut rand::rng());
    let mut session = DocSync::new(id, PeerId::new("wang"), doc);
    session.attach(PeerId::new("relay"), Access::ReadWrite);
    while !session.in_sync_with(&PeerId::new("relay")) {
        for m in session.outgoing() {
            socket.send(&m).await;
        }
        match socket.recv().await {
            Message::Sync(d) => {
                session
                    .receive(&PeerId::new("relay"), SyncKind::Sync, &d.data)
                    .unwrap();
            }
            other => panic!("expected sync, got {other:?}"),
        }
    }
    let stored = relay
        .storage
        .run(move |s| s.load(&id))
        .await
        .unwrap()
        .expect("the document was stored");
    assert_eq!(stored.get_heads(), session.heads());
}

#[tokio::test(start_paused = true)]
async fn a_silent_peer_is_pinged_then_closed_with_an_error() {
    let relay = Relay::new();
    let mut socket = relay.connect();
    socket.join("silent").await;
    let mut pings = 0;
    let error = loop {
        match socket.next_frame().await {
            Some(Frame::Ping(_)) => pings += 1,
            Some(Frame::Binary(b)) => break Message::decode(&b, usize::MAX).unwrap(),
            other => panic!("expected ping or error, got {other:?}"),
        }
    };
    assert!(pings > 0, "the relay pinged before giving up");
    assert!(
        matches!(&error, Message::Error { message, .. } if message.contains("idle")),
        "{error:?}"
    );
    assert_eq!(
        socket.next_frame().await,
        Some(Frame::close(CloseReason::TimedOut))
    );
    drop(socket.to_relay);
    tokio::time::timeout(PATIENCE, socket.task)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(relay.ctx.peers.count(), 0, "the peer id was released");
}

#[tokio::test(start_paused = true)]
async fn a_socket_that_never_joins_is_refused() {
    let relay = Relay::new();
    let mut socket = relay.connect();
    match socket.recv().await {
        Message::Error { message, .. } => assert!(message.contains("join"), "{message}"),
        other => panic!("expected an error, got {other:?}"),
    }
    assert_eq!(
        socket.next_frame().await,
        Some(Frame::close(CloseReason::TimedOut))
    );
}
