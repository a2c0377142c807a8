//! One task per loaded document: it owns the document's [`DocSync`], applies
//! what peers send, stores new changes, and only then answers.
//!
//! The order inside [`DocActor::on_sync`] is the relay's durability promise:
//! changes are committed to storage before any message that advertises heads
//! including them leaves the relay.
//!
//! A task knows only its [`DocContext`] and a [`Retire`] handle, not the
//! registry that spawned it (`documents.rs`).

mod command;
mod context;
pub mod footprint;
#[cfg(test)]
mod tests;

pub use command::{DocCommand, LocalEdit};
pub use context::{DocContext, Retire};
pub use footprint::Footprint;

use std::collections::HashMap;

use linli_protocol::{Access, CloseReason, DocSync, DocumentId, Message, PeerId, SyncKind};
use linli_store::compaction::{self, ChunkLedger};
use linli_store::{Attribution, DocumentStore, StoreError};
use tokio::sync::mpsc;
use tracing::{debug, error, warn};

use crate::metrics::{EvictionReason, RefusalReason};
use crate::outbound::{ConnRef, Outbound};

/// Why changes could not be stored: the text for the peer and the log, and
/// the reason the refusal is counted under.
struct PersistError {
    text: String,
    refusal: RefusalReason,
}

impl From<StoreError> for PersistError {
    fn from(e: StoreError) -> Self {
        let refusal = match e.kind() {
            linli_store::ErrorKind::Full => RefusalReason::DiskFull,
            _ => RefusalReason::Storage,
        };
        Self {
            text: e.to_string(),
            refusal,
        }
    }
}

impl std::fmt::Display for PersistError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

struct Attached {
    conn: ConnRef,
    access: Access,
    token: String,
}

struct DocActor<S> {
    id: DocumentId,
    ctx: DocContext<S>,
    /// `None` when the stored document could not be loaded: it is then
    /// unavailable to everyone and nothing is written over it.
    sync: Option<DocSync>,
    /// The stored chunks `sync`'s document holds: what the compaction
    /// policy counts and what a snapshot of it replaces.
    chunks: ChunkLedger,
    /// The memory the document holds, reported for the memory budget.
    footprint: Footprint,
    /// Attached peers: their connection, what they may do, their token.
    conns: HashMap<PeerId, Attached>,
    ephemeral_seen: HashMap<(PeerId, String), u64>,
}

/// Runs document `id`'s task until the relay stops, the memory budget
/// evicts it, or, with no peer attached for [`DocContext::idle_evict`],
/// `retire` lets it end. After loading and after each command it reports
/// its memory and whether it is idle through `retire`.
pub async fn run<S: DocumentStore>(
    ctx: DocContext<S>,
    id: DocumentId,
    mut rx: mpsc::UnboundedReceiver<DocCommand>,
    retire: Retire,
) {
    let (sync, chunks, footprint) = split(load(&ctx, id).await);
    let _loaded = ctx.metrics.document_loaded();
    let mut actor = DocActor {
        id,
        ctx,
        sync,
        chunks,
        footprint,
        conns: HashMap::new(),
        ephemeral_seen: HashMap::new(),
    };
    loop {
        let idle = actor.conns.is_empty();
        retire.report(&rx, actor.footprint.bytes(), idle);
        let cmd = if idle {
            tokio::select! {
                cmd = rx.recv() => cmd,
                () = tokio::time::sleep(actor.ctx.idle_evict) => {
                    if retire.ask(&rx) {
                        debug!(doc = %id, "evicted idle document");
                        actor.ctx.metrics.evicted(EvictionReason::Idle);
                        return;
                    }
                    continue;
                }
            }
        } else {
            rx.recv().await
        };
        match cmd {
            None | Some(DocCommand::Stop) => return,
            Some(DocCommand::Evict) => {
                debug!(doc = %id, "evicted idle document to keep within the memory budget");
                actor.ctx.metrics.evicted(EvictionReason::Budget);
                return;
            }
            Some(cmd) => actor.handle(cmd).await,
        }
    }
}

/// Loads the document through the storage seam, measuring the memory it
/// takes; `None` (logged) when it cannot be loaded.
async fn load<S: DocumentStore>(
    ctx: &DocContext<S>,
    id: DocumentId,
) -> Option<(DocSync, ChunkLedger, Footprint)> {
    let loaded = async {
        let chunks = ctx.storage.load(id).await?;
        let ledger = ChunkLedger::loaded(&chunks);
        // Parsing a big document is CPU work: keep it off the async threads.
        // On its own thread, the parse is all the measurement sees.
        let (doc, measured) = tokio::task::spawn_blocking(move || {
            crate::heap::measure(|| linli_store::rebuild(&id, &chunks))
        })
        .await
        .map_err(|join| StoreError::backend(join.to_string()))?;
        Ok::<_, StoreError>((doc?.unwrap_or_default(), measured, ledger))
    };
    match loaded.await {
        Ok((doc, measured, ledger)) => {
            let footprint = Footprint::loaded(&doc, measured);
            Some((
                DocSync::new(id, ctx.relay_id.clone(), doc),
                ledger,
                footprint,
            ))
        }
        Err(e) => {
            error!(doc = %id, error = %e, "stored document could not be loaded; serving it as unavailable");
            None
        }
    }
}

/// A document that could not be loaded holds nothing but its task.
fn split(
    loaded: Option<(DocSync, ChunkLedger, Footprint)>,
) -> (Option<DocSync>, ChunkLedger, Footprint) {
    match loaded {
        Some((sync, chunks, footprint)) => (Some(sync), chunks, footprint),
        None => (None, ChunkLedger::default(), Footprint::default()),
    }
}

impl<S: DocumentStore> DocActor<S> {
    async fn handle(&mut self, cmd: DocCommand) {
        match cmd {
            DocCommand::Sync {
                peer,
                conn,
                access,
                token,
                kind,
                data,
                done,
            } => {
                self.on_sync(
                    peer,
                    Attached {
                        conn,
                        access,
                        token,
                    },
                    kind,
                    &data,
                )
                .await;
                let _ = done.send(());
            }
            DocCommand::Unavailable { peer, conn_id } => {
                if self.is_current(&peer, conn_id)
                    && let Some(sync) = &mut self.sync
                {
                    sync.receive_unavailable(&peer);
                }
            }
            DocCommand::Ephemeral {
                peer,
                conn,
                session_id,
                count,
                data,
            } => self.on_ephemeral(peer, conn, session_id, count, data),
            DocCommand::Detach { peer, conn_id } => {
                if self.is_current(&peer, conn_id) {
                    self.conns.remove(&peer);
                    self.ephemeral_seen.retain(|(p, _), _| *p != peer);
                    if let Some(sync) = &mut self.sync {
                        sync.detach(&peer);
                    }
                }
            }
            DocCommand::PublishDirectory => self.reindex_if_directory(),
            DocCommand::StoredElsewhere => self.take_stored_elsewhere().await,
            DocCommand::Edit { token, edit, reply } => {
                let answer = self.on_edit(token, edit).await;
                let _ = reply.send(answer);
            }
            DocCommand::Evict | DocCommand::Stop => {}
        }
    }

    fn is_current(&self, peer: &PeerId, conn_id: u64) -> bool {
        self.conns
            .get(peer)
            .is_some_and(|a| a.conn.conn_id == conn_id)
    }

    async fn on_sync(&mut self, peer: PeerId, attached: Attached, kind: SyncKind, data: &[u8]) {
        let received_at = std::time::Instant::now();
        let conn = attached.conn.clone();
        let current = self.is_current(&peer, conn.conn_id);
        let Some(sync) = &mut self.sync else {
            conn.send(Outbound::Frame(self.unavailable_for(&peer)));
            return;
        };
        if !current {
            // A new socket for this peer: nothing the old one was sent can be
            // assumed delivered.
            sync.attach(peer.clone(), attached.access);
            self.conns.insert(peer.clone(), attached);
        }
        let received = match sync.receive(&peer, kind, data) {
            Ok(r) => r,
            Err(e) => {
                warn!(doc = %self.id, peer = %peer, error = %e, "refused sync message");
                conn.send(Outbound::Fatal(e.to_string(), CloseReason::ProtocolError));
                self.conns.remove(&peer);
                sync.detach(&peer);
                return;
            }
        };
        if received.refused_changes {
            self.ctx.metrics.refused(RefusalReason::ReadOnly);
            conn.send(Outbound::Fatal(
                format!(
                    "document {}: this peer may only read it; its changes were not stored",
                    self.id
                ),
                CloseReason::NotAllowed,
            ));
        }
        let token = self
            .conns
            .get(&peer)
            .map(|a| a.token.clone())
            .unwrap_or_default();
        let stored = received.new_change_hashes.len();
        if !received.new_changes.is_empty()
            && let Err(reason) = self
                .persist(received.new_changes, &received.new_change_hashes, token)
                .await
        {
            self.ctx.metrics.refused(reason.refusal);
            error!(doc = %self.id, error = %reason, "could not store changes; dropping them");
            conn.send(Outbound::Fatal(
                format!(
                    "relay could not store changes to document {}: {reason}",
                    self.id
                ),
                CloseReason::RelayError,
            ));
            self.conns.remove(&peer);
            self.reload().await;
            return;
        }
        if stored > 0 {
            self.ctx
                .metrics
                .changes_stored(stored, received_at.elapsed());
        }
        if received.new_change_hashes.is_empty() {
            // Nothing changed for anyone else: answer the sender alone.
            self.flush_to(&peer);
        } else {
            self.flush();
        }
    }

    /// Commits `changes` with their audit entries (and compacts if due). On
    /// return without error the changes are durable.
    ///
    /// Compaction hands storage the bytes of `save()` and the chunks they
    /// replace; the live document never leaves this task.
    async fn persist(
        &mut self,
        changes: Vec<u8>,
        hashes: &[automerge::ChangeHash],
        token: String,
    ) -> Result<(), PersistError> {
        let Some(sync) = &self.sync else {
            return Err(PersistError {
                text: "document not loaded".into(),
                refusal: RefusalReason::Storage,
            });
        };
        let audit = Attribution {
            change_hashes: hashes.iter().map(|h| h.to_string()).collect(),
            token_name: token,
            at: crate::wall_clock_millis(),
        };
        let storage = &self.ctx.storage;
        // Noted first so the bytes can move; on failure the caller reloads,
        // which rebuilds the ledger from what is stored.
        self.chunks.appended(&changes);
        self.footprint.grew(changes.len());
        storage
            .append(self.id, changes, Some(audit))
            .await
            .map_err(PersistError::from)?;
        compaction::compact_if_due(storage, self.id, &mut self.chunks, || sync.doc().save())
            .await
            .map_err(PersistError::from)?;
        self.reindex_if_directory();
        Ok(())
    }

    /// Runs the relay's own edit: the new changes are stored (with `token`'s
    /// name in the audit log) before any peer is offered them, the same
    /// order as for a device's changes.
    async fn on_edit(
        &mut self,
        token: String,
        edit: LocalEdit,
    ) -> Result<Box<dyn std::any::Any + Send>, String> {
        let Some(sync) = &mut self.sync else {
            return Err(format!("document {} is unavailable", self.id));
        };
        let doc = sync.doc_mut();
        let before = doc.get_heads();
        let answer = (edit.0)(doc)?;
        let hashes: Vec<automerge::ChangeHash> =
            doc.get_changes(&before).iter().map(|c| c.hash()).collect();
        if hashes.is_empty() {
            return Ok(answer);
        }
        let bytes = doc.save_after(&before);
        let received_at = std::time::Instant::now();
        if let Err(e) = self.persist(bytes, &hashes, token).await {
            self.ctx.metrics.refused(e.refusal);
            error!(doc = %self.id, error = %e, "could not store the relay's own change; dropping it");
            self.reload().await;
            return Err(e.text);
        }
        self.ctx
            .metrics
            .changes_stored(hashes.len(), received_at.elapsed());
        self.flush();
        Ok(answer)
    }

    /// Takes in the chunks another process stored since this task loaded
    /// (or last looked), then syncs them to the attached peers. They are
    /// durable already: the other process committed them before notifying.
    async fn take_stored_elsewhere(&mut self) {
        let Some(sync) = &mut self.sync else { return };
        let chunks = match self.ctx.storage.load(self.id).await {
            Ok(chunks) => chunks,
            Err(e) => {
                warn!(doc = %self.id, error = %e, "could not load chunks another process stored");
                return;
            }
        };
        let mut took = 0;
        for chunk in &chunks {
            if self.chunks.knows(&chunk.hash) {
                continue;
            }
            if let Err(e) = sync.doc_mut().load_incremental(&chunk.bytes) {
                warn!(doc = %self.id, error = %e, "a chunk another process stored does not parse; skipped");
                continue;
            }
            self.chunks.stored_elsewhere(chunk);
            self.footprint.grew(chunk.bytes.len());
            took += 1;
        }
        if took > 0 {
            debug!(doc = %self.id, chunks = took, "took in chunks another process stored");
            self.reindex_if_directory();
            self.flush();
        }
    }

    /// The directory decides who may see what: when it changes, so does
    /// the relay's index of it.
    fn reindex_if_directory(&self) {
        if let Some(sync) = &self.sync {
            self.ctx.directory.document_changed(self.id, sync.doc());
        }
    }

    /// After a failed write the in-memory document may hold changes that are
    /// not on disk: rebuild it from disk and restart every peer's sync.
    async fn reload(&mut self) {
        let (sync, chunks, footprint) = split(load(&self.ctx, self.id).await);
        self.sync = sync;
        self.chunks = chunks;
        self.footprint = footprint;
        if let Some(sync) = &mut self.sync {
            for (peer, a) in &self.conns {
                sync.attach(peer.clone(), a.access);
            }
        }
        self.flush();
    }

    /// Sends every attached peer what it needs now.
    fn flush(&mut self) {
        let Some(sync) = &mut self.sync else { return };
        for message in sync.outgoing() {
            self.deliver(message);
        }
    }

    /// Sends `peer` what it needs now.
    fn flush_to(&mut self, peer: &PeerId) {
        let Some(sync) = &mut self.sync else { return };
        if let Some(message) = sync.outgoing_to(peer) {
            self.deliver(message);
        }
    }

    fn deliver(&self, message: Message) {
        let target = match &message {
            Message::Sync(d) | Message::Request(d) => &d.target_id,
            Message::DocUnavailable { target_id, .. } => target_id,
            _ => return,
        };
        debug!(doc = %self.id, to = %target, kind = message.type_name(), "sending");
        if let Some(a) = self.conns.get(target) {
            let bytes = message.encode();
            self.ctx
                .metrics
                .message_sent(message.type_name(), bytes.len());
            a.conn.send(Outbound::Frame(bytes));
        }
    }

    fn unavailable_for(&self, peer: &PeerId) -> Vec<u8> {
        Message::DocUnavailable {
            sender_id: self.ctx.relay_id.clone(),
            target_id: peer.clone(),
            document_id: self.id,
        }
        .encode()
    }

    fn on_ephemeral(
        &mut self,
        peer: PeerId,
        conn: ConnRef,
        session_id: String,
        count: u64,
        data: Vec<u8>,
    ) {
        if self.sync.is_none() {
            conn.send(Outbound::Frame(self.unavailable_for(&peer)));
            return;
        }
        let key = (peer.clone(), session_id.clone());
        if self
            .ephemeral_seen
            .get(&key)
            .is_some_and(|&seen| count <= seen)
        {
            return;
        }
        self.ephemeral_seen.insert(key, count);
        for (other, a) in &self.conns {
            if *other == peer {
                continue;
            }
            let message = Message::Ephemeral {
                sender_id: peer.clone(),
                target_id: other.clone(),
                document_id: self.id,
                session_id: session_id.clone(),
                count,
                data: data.clone(),
            };
            a.conn.send(Outbound::Frame(message.encode()));
        }
    }
}
