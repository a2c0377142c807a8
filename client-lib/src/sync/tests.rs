//! The sync loop against a small in-process relay built from
//! `linli_protocol::DocSync` (the real relay lives in another crate and is
//! tested end to end in `tests/`). The relay is reached over channels and
//! over a real local websocket.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};
use futures::{Sink, SinkExt, Stream, StreamExt};
use linli_protocol::{
    Access, DocSync, DocumentId, Frame, Message, PeerId, PeerMetadata, SyncKind, handshake,
};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};

use super::connection::{self, Control, Mode, Outcome};
use super::frame::tungstenite_frames;
use super::session::{MAX_FRAME_BYTES, Scope};
use crate::{Client, ClientError, ConnectionState, DocEventKind, json};

/// A relay that keeps documents in memory and answers like linli's relay:
/// stores what it gets, answers requests for unknown documents with
/// `doc-unavailable`.
#[derive(Clone)]
struct TestRelay {
    peer: PeerId,
    docs: Arc<Mutex<HashMap<DocumentId, DocSync>>>,
    /// Sending on it drops every open connection.
    cut: broadcast::Sender<()>,
}

impl TestRelay {
    fn new() -> Self {
        Self {
            peer: PeerId::new("test-relay"),
            docs: Arc::new(Mutex::new(HashMap::new())),
            cut: broadcast::channel(4).0,
        }
    }

    fn json_of(&self, doc: DocumentId) -> Option<serde_json::Value> {
        let docs = self.docs.lock().unwrap();
        docs.get(&doc)
            .filter(|d| !d.is_empty())
            .map(|d| json::to_json(d.doc()))
    }

    async fn serve<S, E>(self, mut socket: S)
    where
        S: Stream<Item = Result<Frame, E>> + Sink<Frame> + Unpin,
    {
        let mut cut = self.cut.subscribe();
        let first = tokio::select! {
            _ = cut.recv() => return,
            f = socket.next() => f,
        };
        let Some(Ok(first)) = first else { return };
        let Ok(hello) = handshake::accept_join(&first, MAX_FRAME_BYTES) else {
            return;
        };
        let client = hello.peer_id;
        let peer = handshake::peer(&self.peer, &client, PeerMetadata::default());
        if socket.send(Frame::from(&peer)).await.is_err() {
            return;
        }
        loop {
            let frame = tokio::select! {
                _ = cut.recv() => break,
                f = socket.next() => f,
            };
            let Some(Ok(Frame::Binary(bytes))) = frame else {
                if matches!(frame, Some(Ok(Frame::Ping(_) | Frame::Pong(_)))) {
                    continue;
                }
                break;
            };
            let message = Message::decode(&bytes, MAX_FRAME_BYTES).unwrap();
            let message = match message {
                Message::Sync(data) => Ok((SyncKind::Sync, data)),
                Message::Request(data) => Ok((SyncKind::Request, data)),
                other => Err(other),
            };
            let out = match message {
                Ok((kind, data)) => {
                    let from = client.clone();
                    let mut docs = self.docs.lock().unwrap();
                    let session = docs.entry(data.document_id).or_insert_with(|| {
                        DocSync::new(data.document_id, self.peer.clone(), Automerge::new())
                    });
                    if !session.is_attached(&from) {
                        session.attach(from.clone(), Access::ReadWrite);
                    }
                    session.receive(&from, kind, &data.data).unwrap();
                    session
                        .outgoing()
                        .into_iter()
                        .filter(|m| outgoing_target(m) == Some(&from))
                        .collect()
                }
                _ => Vec::new(),
            };
            for m in out {
                if socket.send(Frame::Binary(m.encode())).await.is_err() {
                    break;
                }
            }
        }
        for session in self.docs.lock().unwrap().values_mut() {
            session.detach(&client);
        }
    }

    /// Serves websockets on a local port; returns the relay URL.
    async fn listen(&self) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let relay = self.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let relay = relay.clone();
                tokio::spawn(async move {
                    if let Ok(ws) = tokio_tungstenite::accept_async(tcp).await {
                        relay.serve(tungstenite_frames(ws)).await;
                    }
                });
            }
        });
        format!("ws://{addr}/sync")
    }
}

fn outgoing_target(m: &Message) -> Option<&PeerId> {
    match m {
        Message::Sync(d) | Message::Request(d) => Some(&d.target_id),
        Message::DocUnavailable { target_id, .. } => Some(target_id),
        _ => None,
    }
}

/// One end of an in-memory socket.
struct ChannelSocket {
    rx: futures::channel::mpsc::UnboundedReceiver<Frame>,
    tx: futures::channel::mpsc::UnboundedSender<Frame>,
}

fn socket_pair() -> (ChannelSocket, ChannelSocket) {
    let (a_tx, a_rx) = futures::channel::mpsc::unbounded();
    let (b_tx, b_rx) = futures::channel::mpsc::unbounded();
    (
        ChannelSocket { rx: a_rx, tx: b_tx },
        ChannelSocket { rx: b_rx, tx: a_tx },
    )
}

impl Stream for ChannelSocket {
    type Item = Result<Frame, futures::channel::mpsc::SendError>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.rx.poll_next_unpin(cx).map(|f| f.map(Ok))
    }
}

impl Sink<Frame> for ChannelSocket {
    type Error = futures::channel::mpsc::SendError;
    fn poll_ready(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.tx.poll_ready_unpin(cx)
    }
    fn start_send(mut self: std::pin::Pin<&mut Self>, item: Frame) -> Result<(), Self::Error> {
        self.tx.start_send_unpin(item)
    }
    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.tx.poll_flush_unpin(cx)
    }
    fn poll_close(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.tx.poll_close_unpin(cx)
    }
}

fn client() -> (tempfile::TempDir, Client) {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::open(dir.path()).unwrap();
    (dir, client)
}

const T: Duration = Duration::from_secs(10);

/// Runs one connection of `client` over `socket` until it is idle or ends.
async fn drive_until_idle(client: &Client, socket: ChannelSocket) -> connection::ConnectionEnd {
    let session = Arc::new(Mutex::new(client.session(Scope::All)));
    let (_stop_tx, mut stop) = watch::channel(false);
    let mut local = client.inner.local_changes.subscribe();
    connection::run(
        session,
        socket,
        Mode::UntilIdle,
        Control {
            stop: &mut stop,
            local: &mut local,
            on_connected: &|_| {},
        },
    )
    .await
}

#[tokio::test]
async fn the_driver_syncs_over_channels_until_idle_and_the_relay_confirms() {
    let relay = TestRelay::new();
    let (_dir, client) = client();
    let doc = client.create().unwrap();
    client
        .change(doc, |tx| Ok(tx.put(ROOT, "name", "3号楼")?))
        .unwrap();
    assert_eq!(client.pending(doc).unwrap().changes, 2);
    let mut events = client.subscribe(doc);

    let (ours, theirs) = socket_pair();
    tokio::spawn(relay.clone().serve(theirs));
    let end = drive_until_idle(&client, ours).await;
    assert_eq!(end.outcome, Outcome::Idle);
    assert!(end.reached_peer);
    assert_eq!(relay.json_of(doc), Some(json!({"name": "3号楼"})));
    assert!(client.pending(doc).unwrap().is_empty());
    let event = events.recv().await.unwrap();
    assert_eq!(event.kind, DocEventKind::Confirmed);
}

#[tokio::test]
async fn a_relay_that_refuses_with_an_error_is_not_retried_at_once() {
    let (_dir, client) = client();
    let doc = client.create().unwrap();
    let (ours, mut theirs) = socket_pair();
    // A relay that answers the handshake, then refuses the first upload
    // (as linli-relay does when its disk is full).
    tokio::spawn(async move {
        let mut joined = false;
        while let Some(Ok(frame)) = theirs.next().await {
            let answer = match handshake::accept_join(&frame, MAX_FRAME_BYTES) {
                Ok(hello) if !joined => {
                    joined = true;
                    handshake::peer(
                        &PeerId::new("full-relay"),
                        &hello.peer_id,
                        PeerMetadata::default(),
                    )
                }
                _ => Message::Error {
                    message: "relay could not store changes: the disk is full".into(),
                    sender_id: None,
                    target_id: None,
                },
            };
            if theirs.send(Frame::Binary(answer.encode())).await.is_err() {
                break;
            }
        }
    });
    let end = drive_until_idle(&client, ours).await;
    assert!(end.reached_peer);
    assert!(end.refused);
    assert!(!end.went_well(), "the backoff must keep growing");
    match &end.outcome {
        Outcome::Lost(why) => assert!(why.contains("disk is full"), "{why}"),
        other => panic!("expected a lost connection, got {other:?}"),
    }
    assert_eq!(client.pending(doc).unwrap().changes, 1);
}

#[tokio::test]
async fn sync_until_idle_pushes_and_a_second_device_fetches_over_a_websocket() {
    let relay = TestRelay::new();
    let url = relay.listen().await;
    let (_a_dir, a) = client();
    let doc = a.create().unwrap();
    a.change(doc, |tx| Ok(tx.put(ROOT, "name", "幸福里")?))
        .unwrap();
    let report = a.sync_until_idle(url.as_str(), T).await.unwrap();
    assert!(report.connected);
    assert_eq!(report.documents, 1);
    assert!(report.pending.is_empty());

    // Confirmation is in the store: a separate process sees nothing pending.
    let again = Client::open(a.dir()).unwrap();
    assert!(again.pending(doc).unwrap().is_empty());

    let (_b_dir, b) = client();
    b.fetch(url.as_str(), doc, T).await.unwrap();
    assert_eq!(
        b.read(doc, json::to_json).unwrap(),
        json!({"name": "幸福里"})
    );
    assert!(b.wanted().unwrap().is_empty());

    // b edits, syncs; a pulls the edit with a plain sync.
    b.change(doc, |tx| Ok(tx.put(ROOT, "phone", "110")?))
        .unwrap();
    b.sync_until_idle(url.as_str(), T).await.unwrap();
    let report = a.sync_until_idle(url.as_str(), T).await.unwrap();
    assert_eq!(report.updated, vec![doc]);
    assert_eq!(
        a.read(doc, json::to_json).unwrap(),
        json!({"name": "幸福里", "phone": "110"})
    );
}

#[tokio::test]
async fn fetching_a_document_the_relay_lacks_is_unavailable() {
    let relay = TestRelay::new();
    let url = relay.listen().await;
    let (_dir, client) = client();
    let doc = DocumentId::random(&mut rand::rng());
    let mut events = client.subscribe(doc);
    let err = client.fetch(url.as_str(), doc, T).await.unwrap_err();
    assert!(
        matches!(err, ClientError::Unavailable { doc: d } if d == doc),
        "{err:?}"
    );
    assert_eq!(events.recv().await.unwrap().kind, DocEventKind::Unavailable);
    assert!(
        client.wanted().unwrap().is_empty(),
        "a failed look-up is not kept"
    );
}

#[tokio::test]
async fn sync_until_idle_reports_unconfirmed_changes_when_the_relay_is_unreachable() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/sync", listener.local_addr().unwrap());
    drop(listener);
    let (_dir, client) = client();
    let doc = client.create().unwrap();
    let err = client
        .sync_until_idle(url.as_str(), Duration::from_millis(800))
        .await
        .unwrap_err();
    let report = err.sync_report().expect("a sync report");
    assert_eq!(report.pending.changes, 1);
    assert!(!report.connected);
    assert!(report.last_error.is_some());
    assert!(client.pending(doc).unwrap().changes == 1);
}

#[tokio::test]
async fn the_sync_loop_pushes_live_edits_and_reconnects_after_a_cut() {
    let relay = TestRelay::new();
    let url = relay.listen().await;
    let (_dir, client) = client();
    let doc = client.create().unwrap();
    let handle = client.connect(url.as_str()).unwrap();
    assert!(handle.wait_connected(T).await);
    assert!(matches!(
        client.sync_until_idle(url.as_str(), T).await,
        Err(ClientError::AlreadySyncing)
    ));

    let mut events = client.subscribe(doc);
    client
        .change(doc, |tx| Ok(tx.put(ROOT, "step", 1)?))
        .unwrap();
    wait_until_confirmed(&client, doc, &mut events).await;
    assert_eq!(relay.json_of(doc), Some(json!({"step": 1})));

    // Cut every connection; the loop reconnects and later edits still flow.
    let mut state = handle.state();
    relay.cut.send(()).unwrap();
    tokio::time::timeout(
        T,
        state.wait_for(|s| matches!(s, ConnectionState::Disconnected { .. })),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(handle.wait_connected(T).await);
    client
        .change(doc, |tx| Ok(tx.put(ROOT, "step", 2)?))
        .unwrap();
    wait_until_confirmed(&client, doc, &mut events).await;
    assert_eq!(relay.json_of(doc), Some(json!({"step": 2})));

    handle.stop().await;
    // The session is released: a one-shot sync works now.
    client.sync_until_idle(url.as_str(), T).await.unwrap();
}

async fn wait_until_confirmed(
    client: &Client,
    doc: DocumentId,
    events: &mut broadcast::Receiver<crate::DocEvent>,
) {
    tokio::time::timeout(T, async {
        while !client.pending(doc).unwrap().is_empty() {
            let _ = events.recv().await;
        }
    })
    .await
    .expect("the relay confirms the change");
}

#[tokio::test]
async fn a_corrupt_document_is_reported_and_the_others_still_sync() {
    let relay = TestRelay::new();
    let url = relay.listen().await;
    let (dir, client) = client();
    let good = client.create().unwrap();
    let bad = client.create().unwrap();
    drop(client);
    let conn = rusqlite::Connection::open(dir.path().join(crate::STORE_FILE)).unwrap();
    conn.execute(
        "INSERT INTO chunks (doc_id, kind, hash, bytes) VALUES (?1, 'incremental', 'garbage', ?2)",
        rusqlite::params![
            bad.as_bytes().as_slice(),
            vec![0x85u8, 0x6f, 0x4a, 0x83, 1, 2, 3]
        ],
    )
    .unwrap();
    drop(conn);

    let client = Client::open(dir.path()).unwrap();
    let err = client.sync_until_idle(url.as_str(), T).await.unwrap_err();
    let report = err.sync_report().expect("a report");
    assert_eq!(report.failed, vec![bad]);
    assert!(report.connected);
    assert!(relay.json_of(good).is_some());
    assert!(client.pending(good).unwrap().is_empty());
}

#[tokio::test]
async fn the_sync_loop_pushes_new_documents_and_fetches_wanted_ones() {
    let relay = TestRelay::new();
    let url = relay.listen().await;
    let (_a_dir, a) = client();
    let (_b_dir, b) = client();
    let handle_a = a.connect(url.as_str()).unwrap();
    assert!(handle_a.wait_connected(T).await);
    let mut a_all = a.subscribe_all();
    let (doc, ()) = a
        .create_with(|tx| Ok(tx.put(ROOT, "title", "送菜上门")?))
        .unwrap();
    wait_until_confirmed(&a, doc, &mut a_all).await;

    let handle_b = b.connect(url.as_str()).unwrap();
    assert!(handle_b.wait_connected(T).await);
    let mut b_events = b.subscribe(doc);
    assert!(b.want(doc).unwrap());
    let event = tokio::time::timeout(T, async {
        loop {
            let e = b_events.recv().await.unwrap();
            if e.kind == DocEventKind::Remote {
                return e;
            }
        }
    })
    .await
    .expect("the wanted document arrives");
    assert_eq!(event.heads, a.heads(doc).unwrap());
    assert_eq!(
        b.read(doc, json::to_json).unwrap(),
        json!({"title": "送菜上门"})
    );
    assert!(b.wanted().unwrap().is_empty());
    handle_a.stop().await;
    handle_b.stop().await;
}

#[tokio::test]
async fn a_running_loop_reloads_only_the_document_another_process_changed() {
    let relay = TestRelay::new();
    let url = relay.listen().await;
    let (_dir, client) = client();
    let docs: Vec<DocumentId> = (0..20).map(|_| client.create().unwrap()).collect();
    let mut all = client.subscribe_all();
    let sync = client.connect(url.as_str()).unwrap();
    for doc in &docs {
        wait_until_confirmed(&client, *doc, &mut all).await;
    }
    let loads_before = client.inner.store.loads();

    // Another process (a second client on the same directory, as the
    // `linli` CLI is) edits one document while the loop runs.
    let changed = docs[7];
    let mut events = client.subscribe(changed);
    let other = Client::open(client.dir()).unwrap();
    other
        .change(changed, |tx| Ok(tx.put(ROOT, "from", "cli")?))
        .unwrap();
    tokio::time::timeout(T, async {
        while events.recv().await.unwrap().kind != DocEventKind::Local {}
    })
    .await
    .expect("the loop takes in the other process's change");
    assert_eq!(client.inner.store.loads() - loads_before, 1);
    assert_eq!(
        client.read(changed, json::to_json).unwrap(),
        json!({"from": "cli"})
    );
    wait_until_confirmed(&client, changed, &mut all).await;
    assert_eq!(relay.json_of(changed), Some(json!({"from": "cli"})));
    sync.stop().await;
}

#[tokio::test]
async fn a_relay_closing_with_4403_ends_the_connection_as_revoked() {
    let (_dir, client) = client();
    client.create().unwrap();
    let (ours, mut theirs) = socket_pair();
    // A relay that answers the handshake, then closes the way linli-relay
    // does when the street office revokes the token: `error`, then 4403.
    tokio::spawn(async move {
        let Some(Ok(frame)) = theirs.next().await else {
            return;
        };
        let Ok(hello) = handshake::accept_join(&frame, MAX_FRAME_BYTES) else {
            return;
        };
        let peer = handshake::peer(
            &PeerId::new("relay"),
            &hello.peer_id,
            PeerMetadata::default(),
        );
        let error = Message::Error {
            message: "this device's token was revoked".into(),
            sender_id: None,
            target_id: None,
        };
        for frame in [
            Frame::from(&peer),
            Frame::from(&error),
            Frame::close(linli_protocol::CloseReason::Revoked),
        ] {
            if theirs.send(frame).await.is_err() {
                return;
            }
        }
        while theirs.next().await.is_some() {}
    });
    let end = drive_until_idle(&client, ours).await;
    assert_eq!(end.outcome, Outcome::Revoked);
    assert!(!end.went_well());
}
