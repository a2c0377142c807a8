//! A load-generating peer: one websocket, any number of documents, driven
//! by commands and reporting what happened as events. It speaks the
//! automerge-repo protocol through linli's sans-IO `DocSync`, so the same
//! peer code loads both relays.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::{Context, bail};
use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT, ReadDoc};
use futures::{Sink, SinkExt, Stream, StreamExt};
use linli_client::sync::tungstenite_frames;
use linli_protocol::{
    Access, DocSync, DocumentId, Frame, Message, PeerId, PeerMetadata, SyncKind, handshake,
};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::relay::Relay;

/// Which peer an event came from (its index in the workload).
pub type PeerIx = usize;

#[derive(Debug)]
pub enum Event {
    /// Changes arrived from the relay; `seq` is the document's `seq` field
    /// after applying them.
    Changed {
        peer: PeerIx,
        doc: DocumentId,
        seq: Option<u64>,
        at: Instant,
    },
    /// After a local edit, an upload or a fetch, the relay showed exactly
    /// this peer's heads: the relay holds everything this peer has.
    Synced {
        peer: PeerIx,
        doc: DocumentId,
        at: Instant,
    },
    Unavailable {
        peer: PeerIx,
        doc: DocumentId,
    },
    Failed {
        peer: PeerIx,
        why: String,
    },
}

enum Cmd {
    /// Start syncing a document this peer holds (uploads it).
    Add(DocumentId, Box<Automerge>),
    /// Fetch a document from the relay.
    Want(DocumentId),
    /// Set the document's `seq` field (one change) and sync it.
    Edit(DocumentId, u64),
}

/// The handle to a peer's task; the task ends when the handle is dropped.
pub struct Peer {
    cmds: mpsc::UnboundedSender<Cmd>,
}

impl Peer {
    /// Connects to `relay` and completes the join handshake.
    pub async fn connect(
        relay: &Relay,
        ix: PeerIx,
        events: mpsc::UnboundedSender<Event>,
    ) -> anyhow::Result<Self> {
        let mut request = relay.url.as_str().into_client_request()?;
        if let Some(token) = &relay.token {
            request.headers_mut().insert(
                "authorization",
                HeaderValue::from_str(&format!("Bearer {token}"))?,
            );
        }
        // Nagle off, as linli's client does.
        let (ws, _) = tokio_tungstenite::connect_async_with_config(request, None, true)
            .await
            .context("websocket connect")?;
        let mut socket = tungstenite_frames(ws);
        let me = PeerId::new(format!("bench-{ix}-{}", std::process::id()));
        let join = handshake::join(&me, PeerMetadata::default());
        socket.send(Frame::from(&join)).await?;
        let relay_id = loop {
            match socket.next().await {
                Some(Ok(frame)) => match handshake::read_peer(&frame, usize::MAX)? {
                    Some(hello) => break hello.peer_id,
                    None => continue,
                },
                other => bail!("join failed: {other:?}"),
            }
        };
        let (cmds, rx) = mpsc::unbounded_channel();
        let state = PeerTask {
            ix,
            me,
            relay: relay_id,
            docs: HashMap::new(),
            awaiting: HashMap::new(),
            events,
        };
        tokio::spawn(state.run(socket, rx));
        Ok(Self { cmds })
    }

    /// A handle with no connection behind it: put in place of a peer's
    /// handle, it drops that one, which closes the peer's connection.
    pub fn disconnected() -> Self {
        let (cmds, _) = mpsc::unbounded_channel();
        Self { cmds }
    }

    pub fn add(&self, id: DocumentId, doc: Automerge) {
        let _ = self.cmds.send(Cmd::Add(id, Box::new(doc)));
    }

    pub fn want(&self, id: DocumentId) {
        let _ = self.cmds.send(Cmd::Want(id));
    }

    pub fn edit(&self, id: DocumentId, seq: u64) {
        let _ = self.cmds.send(Cmd::Edit(id, seq));
    }
}

/// The websocket as frames; generic so the peer's loop does not name
/// tungstenite's types.
trait Socket:
    Stream<Item = Result<Frame, tungstenite::Error>>
    + Sink<Frame, Error = tungstenite::Error>
    + Unpin
    + Send
{
}

impl<S> Socket for S where
    S: Stream<Item = Result<Frame, tungstenite::Error>>
        + Sink<Frame, Error = tungstenite::Error>
        + Unpin
        + Send
{
}

struct PeerTask {
    ix: PeerIx,
    me: PeerId,
    relay: PeerId,
    docs: HashMap<DocumentId, DocSync>,
    /// Documents with an upload, fetch or edit the relay has not yet shown
    /// it holds.
    awaiting: HashMap<DocumentId, ()>,
    events: mpsc::UnboundedSender<Event>,
}

impl PeerTask {
    async fn run(mut self, mut socket: impl Socket, mut cmds: mpsc::UnboundedReceiver<Cmd>) {
        let ix = self.ix;
        if let Err(e) = self.drive(&mut socket, &mut cmds).await {
            let _ = self.events.send(Event::Failed {
                peer: ix,
                why: format!("{e:#}"),
            });
        }
        let _ = socket.close().await;
    }

    async fn drive(
        &mut self,
        socket: &mut impl Socket,
        cmds: &mut mpsc::UnboundedReceiver<Cmd>,
    ) -> anyhow::Result<()> {
        loop {
            tokio::select! {
                cmd = cmds.recv() => {
                    let Some(cmd) = cmd else { return Ok(()) };
                    let id = self.apply(cmd)?;
                    self.flush(socket, id).await?;
                }
                frame = socket.next() => {
                    match frame {
                        Some(Ok(Frame::Binary(b))) => self.receive(socket, &b).await?,
                        Some(Ok(Frame::Ping(_) | Frame::Pong(_))) => {}
                        other => bail!("connection ended: {other:?}"),
                    }
                }
            }
        }
    }

    fn apply(&mut self, cmd: Cmd) -> anyhow::Result<DocumentId> {
        let id = match cmd {
            Cmd::Add(id, doc) => {
                let mut sync = DocSync::new(id, self.me.clone(), *doc);
                sync.attach(self.relay.clone(), Access::ReadWrite);
                self.docs.insert(id, sync);
                id
            }
            Cmd::Want(id) => {
                let mut sync = DocSync::new(id, self.me.clone(), Automerge::new()).requesting();
                sync.attach(self.relay.clone(), Access::ReadWrite);
                self.docs.insert(id, sync);
                id
            }
            Cmd::Edit(id, seq) => {
                let sync = self
                    .docs
                    .get_mut(&id)
                    .context("edit of an unknown document")?;
                let mut tx = sync.doc_mut().transaction();
                tx.put(ROOT, "seq", seq)?;
                tx.commit();
                id
            }
        };
        self.awaiting.insert(id, ());
        Ok(id)
    }

    async fn receive(&mut self, socket: &mut impl Socket, bytes: &[u8]) -> anyhow::Result<()> {
        let (id, kind, data) = match Message::decode(bytes, usize::MAX)? {
            Message::Sync(d) => (d.document_id, SyncKind::Sync, d.data),
            Message::Request(d) => (d.document_id, SyncKind::Request, d.data),
            Message::DocUnavailable { document_id, .. } => {
                let _ = self.events.send(Event::Unavailable {
                    peer: self.ix,
                    doc: document_id,
                });
                return Ok(());
            }
            Message::Error { message, .. } => bail!("relay error: {message}"),
            _ => return Ok(()),
        };
        let Some(sync) = self.docs.get_mut(&id) else {
            return Ok(());
        };
        let got = sync.receive(&self.relay, kind, &data)?;
        let at = Instant::now();
        if !got.new_changes.is_empty() {
            let seq = match sync.doc().get(ROOT, "seq")? {
                Some((automerge::Value::Scalar(s), _)) => s.as_u64(),
                _ => None,
            };
            let _ = self.events.send(Event::Changed {
                peer: self.ix,
                doc: id,
                seq,
                at,
            });
        }
        if self.awaiting.contains_key(&id) && !sync.is_empty() && sync.in_sync_with(&self.relay) {
            self.awaiting.remove(&id);
            let _ = self.events.send(Event::Synced {
                peer: self.ix,
                doc: id,
                at,
            });
        }
        self.flush(socket, id).await
    }

    async fn flush(&mut self, socket: &mut impl Socket, id: DocumentId) -> anyhow::Result<()> {
        if let Some(sync) = self.docs.get_mut(&id) {
            for m in sync.outgoing() {
                socket.send(Frame::from(&m)).await?;
            }
        }
        Ok(())
    }
}
