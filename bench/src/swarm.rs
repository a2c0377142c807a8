//! A set of peers on one relay sharing one event stream, with waits that
//! end on events (or fail after a generous timeout), never on sleeps.

use std::collections::HashSet;
use std::time::Duration;

use anyhow::{Context, bail};
use futures::StreamExt;
use linli_protocol::DocumentId;
use tokio::sync::mpsc;

use crate::peer::{Event, Peer, PeerIx};
use crate::relay::Relay;

/// How long any one wait may take before the run fails.
pub const PATIENCE: Duration = Duration::from_secs(300);

/// Connections opened at once when many peers connect.
const CONNECT_CONCURRENCY: usize = 64;

pub struct Swarm {
    pub peers: Vec<Peer>,
    tx: mpsc::UnboundedSender<Event>,
    rx: mpsc::UnboundedReceiver<Event>,
}

impl Swarm {
    pub fn new() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Self {
            peers: Vec::new(),
            tx,
            rx,
        }
    }

    /// Connects `n` more peers; returns the index of the first.
    pub async fn connect(&mut self, relay: &Relay, n: usize) -> anyhow::Result<PeerIx> {
        let first = self.peers.len();
        let tx = self.tx.clone();
        let mut connected: Vec<(PeerIx, Peer)> = futures::stream::iter(first..first + n)
            .map(|ix| {
                let tx = tx.clone();
                async move { Peer::connect(relay, ix, tx).await.map(|p| (ix, p)) }
            })
            .buffer_unordered(CONNECT_CONCURRENCY)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<anyhow::Result<_>>()?;
        connected.sort_by_key(|(ix, _)| *ix);
        self.peers.extend(connected.into_iter().map(|(_, p)| p));
        Ok(first)
    }

    /// Where peers send their events (for peers of another kind, such as
    /// samod's, to join this swarm's stream).
    pub fn events(&self) -> mpsc::UnboundedSender<Event> {
        self.tx.clone()
    }

    /// The next event as it comes, `None` when every peer is gone.
    pub async fn next_raw(&mut self) -> Option<Event> {
        self.rx.recv().await
    }

    /// The next event; a failed peer fails the run.
    pub async fn next(&mut self) -> anyhow::Result<Event> {
        let event = tokio::time::timeout(PATIENCE, self.rx.recv())
            .await
            .context("no event from any peer in time")?
            .context("every peer is gone")?;
        if let Event::Failed { peer, why } = &event {
            bail!("peer {peer} failed: {why}");
        }
        Ok(event)
    }

    /// Waits until every (peer, document) pair in `want` has synced.
    pub async fn synced(
        &mut self,
        want: impl IntoIterator<Item = (PeerIx, DocumentId)>,
    ) -> anyhow::Result<()> {
        let mut left: HashSet<(PeerIx, DocumentId)> = want.into_iter().collect();
        while !left.is_empty() {
            match self.next().await? {
                Event::Synced { peer, doc, .. } => {
                    left.remove(&(peer, doc));
                }
                Event::Unavailable { peer, doc } if left.contains(&(peer, doc)) => {
                    bail!("peer {peer}: the relay has no document {doc}")
                }
                _ => {}
            }
        }
        Ok(())
    }
}
