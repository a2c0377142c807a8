//! A load peer built on samod's own client `Repo`, beside linli's
//! (`peer.rs`): a relay tuned to its own client proves little, so the grid
//! drives both relays with both. Each peer is a samod `Repo` with in-memory
//! storage and one websocket to the relay, as a samod app would have; it
//! reports what it sees as the same [`Event`]s as linli's peer.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::Context;
use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT, ReadDoc};
use futures::StreamExt;
use linli_protocol::DocumentId;
use samod::{BackoffConfig, DocHandle, Repo};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::peer::{Event, PeerIx};
use crate::relay::Relay;
use crate::swarm::PATIENCE;

/// One samod repo connected to a relay.
pub struct SamodPeer {
    ix: PeerIx,
    repo: Repo,
    handles: HashMap<DocumentId, DocHandle>,
    watchers: Vec<JoinHandle<()>>,
    events: mpsc::UnboundedSender<Event>,
}

impl SamodPeer {
    /// Connects a fresh repo to `relay` (linli's token goes in the URL, as
    /// a browser's would).
    pub async fn connect(
        relay: &Relay,
        ix: PeerIx,
        events: mpsc::UnboundedSender<Event>,
    ) -> anyhow::Result<Self> {
        let mut url: url::Url = relay.url.parse()?;
        if let Some(token) = &relay.token {
            url.query_pairs_mut().append_pair("token", token);
        }
        let repo = Repo::build_tokio().load().await;
        let dialer = repo
            .dial_websocket(url, BackoffConfig::default())
            .map_err(|_| anyhow::anyhow!("samod repo stopped"))?;
        tokio::time::timeout(PATIENCE, dialer.established())
            .await
            .context("samod did not connect in time")?
            .map_err(|e| anyhow::anyhow!("samod could not connect: {e:?}"))?;
        Ok(Self {
            ix,
            repo,
            handles: HashMap::new(),
            watchers: Vec::new(),
            events,
        })
    }

    /// Creates a document holding `doc` and waits until the relay has it.
    pub async fn create(&mut self, doc: Automerge) -> anyhow::Result<DocumentId> {
        let handle = self
            .repo
            .create(doc)
            .await
            .map_err(|_| anyhow::anyhow!("samod repo stopped"))?;
        relay_has(&handle).await?;
        let id: DocumentId = handle.document_id().to_string().parse()?;
        self.watch(id, handle);
        Ok(id)
    }

    /// Finds `id` through the relay and watches it.
    pub async fn open(&mut self, id: DocumentId) -> anyhow::Result<()> {
        let samod_id: samod::DocumentId = id.to_string().parse()?;
        let handle = tokio::time::timeout(PATIENCE, self.repo.find(samod_id))
            .await
            .context("samod find timed out")?
            .map_err(|_| anyhow::anyhow!("samod repo stopped"))?
            .with_context(|| format!("the relay has no document {id}"))?;
        self.watch(id, handle);
        Ok(())
    }

    /// Sets the document's `seq` field (one change); samod syncs it.
    pub fn edit(&self, id: DocumentId, seq: u64) -> anyhow::Result<()> {
        let handle = self
            .handles
            .get(&id)
            .context("edit of an unknown document")?;
        handle.with_document(|d| {
            let mut tx = d.transaction();
            tx.put(ROOT, "seq", seq)?;
            tx.commit();
            Ok::<_, automerge::AutomergeError>(())
        })?;
        Ok(())
    }

    /// Stops the repo (closing its connection) and its watchers.
    pub async fn stop(self) {
        for w in &self.watchers {
            w.abort();
        }
        self.repo.stop().await;
    }

    /// Reports every change to `handle`'s document as [`Event::Changed`].
    fn watch(&mut self, id: DocumentId, handle: DocHandle) {
        let (ix, events, watched) = (self.ix, self.events.clone(), handle.clone());
        self.watchers.push(tokio::spawn(async move {
            let mut changes = watched.changes();
            while changes.next().await.is_some() {
                let at = Instant::now();
                let seq = watched.with_document(|d| match d.get(ROOT, "seq") {
                    Ok(Some((automerge::Value::Scalar(s), _))) => s.as_u64(),
                    _ => None,
                });
                let changed = Event::Changed {
                    peer: ix,
                    doc: id,
                    seq,
                    at,
                };
                if events.send(changed).is_err() {
                    return;
                }
            }
        }));
        self.handles.insert(id, handle);
    }
}

/// Waits until the relay (the one connected peer) has every change of
/// `handle`.
async fn relay_has(handle: &DocHandle) -> anyhow::Result<()> {
    let (mut current, mut updates) = handle.peers();
    let conn = loop {
        if let Some(conn) = current.keys().next() {
            break *conn;
        }
        current = tokio::time::timeout(PATIENCE, updates.next())
            .await
            .context("samod never started syncing the document")?
            .context("samod stopped")?;
    };
    tokio::time::timeout(PATIENCE, handle.they_have_our_changes(conn))
        .await
        .context("the relay did not acknowledge samod's document")
}
