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
    // A command taken from the queue while gathering a batch of syncs,
    // to handle next.
    let mut next: Option<DocCommand> = None;
    loop {
        let cmd = match next.take() {
            Some(cmd) => Some(cmd),
            None => {
                let idle = actor.conns.is_empty();
                retire.report(&rx, actor.memory(), idle);
                if idle {
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
                }
            }
        };
        match cmd {
            None | Some(DocCommand::Stop) => return,
            Some(DocCommand::Evict) => {
                debug!(doc = %id, "evicted idle document to keep within the memory budget");
                actor.ctx.metrics.evicted(EvictionReason::Budget);
                return;
            }
            Some(cmd) => match Incoming::of(cmd) {
                Ok(first) => {
                    // Every sync already waiting is handled with this one:
                    // their changes are stored together, then answered.
                    let mut batch = vec![first];
                    while batch.len() < MAX_SYNC_BATCH {
                        match rx.try_recv().map(Incoming::of) {
                            Ok(Ok(incoming)) => batch.push(incoming),
                            Ok(Err(other)) => {
                                next = Some(other);
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    actor.on_syncs(batch).await;
                }
                Err(cmd) => actor.handle(cmd).await,
            },
        }
    }
}

/// At most this many waiting sync messages are handled as one batch.
const MAX_SYNC_BATCH: usize = 64;

/// A `request` or `sync` from a peer, as [`DocCommand::Sync`] carries it.
struct Incoming {
    peer: PeerId,
    attached: Attached,
    kind: SyncKind,
    data: Vec<u8>,
    done: tokio::sync::oneshot::Sender<()>,
}

impl Incoming {
    /// The sync message `cmd` carries, or `cmd` back if it is something else.
    fn of(cmd: DocCommand) -> Result<Self, DocCommand> {
        match cmd {
            DocCommand::Sync {
                peer,
                conn,
                access,
                token,
                kind,
                data,
                done,
            } => Ok(Incoming {
                peer,
                attached: Attached {
                    conn,
                    access,
                    token,
                },
                kind,
                data,
                done,
            }),
            other => Err(other),
        }
    }
}

/// What a received sync message leaves to do once it is applied.
enum Received {
    /// Nothing more (refused, or the document is unavailable).
    Handled,
    /// No new changes: answer the sender alone.
    AnswerSender(PeerId),
    /// New changes to store before anyone hears of them.
    Store(ToStore),
}

struct ToStore {
    peer: PeerId,
    conn: ConnRef,
    changes: Vec<u8>,
    hashes: Vec<automerge::ChangeHash>,
    token: String,
    received_at: std::time::Instant,
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
        let (doc, measured, chunks) = tokio::task::spawn_blocking(move || {
            let (doc, measured) = crate::heap::measure(|| linli_store::rebuild(&id, &chunks));
            (doc, measured, chunks)
        })
        .await
        .map_err(|join| StoreError::backend(join.to_string()))?;
        Ok::<_, StoreError>((doc?.unwrap_or_default(), measured, ledger, chunks))
    };
    match loaded.await {
        Ok((doc, measured, ledger, chunks)) => {
            let footprint = Footprint::loaded(&doc, measured);
            let mut sync = DocSync::new(id, ctx.relay_id.clone(), doc);
            // A document stored as one snapshot is that snapshot: a peer
            // that holds nothing can be sent its bytes as they are.
            if let [only] = chunks.as_slice()
                && only.kind == linli_store::ChunkKind::Snapshot
                && let Some(only) = chunks.into_iter().next()
            {
                sync.offer_whole(only.bytes);
            }
            Some((sync, ledger, footprint))
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
    /// The memory the document holds, with the whole-document bytes kept
    /// for fresh peers.
    fn memory(&self) -> u64 {
        let kept = self.sync.as_ref().map_or(0, DocSync::kept_bytes);
        self.footprint.bytes().saturating_add(kept as u64)
    }

    async fn handle(&mut self, cmd: DocCommand) {
        match cmd {
            cmd @ DocCommand::Sync { .. } => {
                if let Ok(incoming) = Incoming::of(cmd) {
                    self.on_syncs(vec![incoming]).await;
                }
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
            DocCommand::Offer {
                peer,
                conn,
                access,
                token,
                restart,
            } => self.on_offer(
                peer,
                Attached {
                    conn,
                    access,
                    token,
                },
                restart,
            ),
            DocCommand::Covered { peer, reply } => {
                let covered = self
                    .sync
                    .as_ref()
                    .filter(|s| s.is_attached(&peer))
                    .map(|s| {
                        let confirmed = s.confirmed_heads(&peer);
                        s.in_sync_with(&peer) || s.heads().iter().all(|h| confirmed.contains(h))
                    });
                let _ = reply.send(covered);
            }
            DocCommand::Evict | DocCommand::Stop => {}
        }
    }

    /// Starts syncing with the upstream hub: attaches it (unless it is
    /// attached on this connection and `restart` is false) and sends it
    /// what it needs, or a `request` when the document is empty here.
    fn on_offer(&mut self, peer: PeerId, attached: Attached, restart: bool) {
        let current = self.is_current(&peer, attached.conn.conn_id);
        let Some(sync) = &mut self.sync else { return };
        if !current || restart {
            sync.attach(peer.clone(), attached.access);
            self.conns.insert(peer.clone(), attached);
        }
        sync.request_when_empty();
        self.flush_to(&peer);
    }

    fn is_current(&self, peer: &PeerId, conn_id: u64) -> bool {
        self.conns
            .get(peer)
            .is_some_and(|a| a.conn.conn_id == conn_id)
    }

    /// Handles a batch of sync messages: applies each, stores all their
    /// new changes together (one commit when the storage groups them), and
    /// only once they are durable answers and forwards. Compaction runs
    /// after the answers are out, so it never delays them.
    async fn on_syncs(&mut self, batch: Vec<Incoming>) {
        let mut dones = Vec::with_capacity(batch.len());
        let mut to_store = Vec::new();
        let mut answer = Vec::new();
        for incoming in batch {
            dones.push(incoming.done);
            match self.receive(
                incoming.peer,
                incoming.attached,
                incoming.kind,
                &incoming.data,
            ) {
                Received::Handled => {}
                Received::AnswerSender(peer) => answer.push(peer),
                Received::Store(s) => to_store.push(s),
            }
        }
        if to_store.is_empty() {
            for peer in &answer {
                self.flush_to(peer);
            }
        } else if self.store_all(to_store).await {
            self.reindex_if_directory();
            self.flush();
        } else {
            self.reload().await;
        }
        for done in dones {
            let _ = done.send(());
        }
        self.compact().await;
    }

    /// Applies one sync message to the document (nothing is sent that
    /// advertises what it brought).
    fn receive(
        &mut self,
        peer: PeerId,
        attached: Attached,
        kind: SyncKind,
        data: &[u8],
    ) -> Received {
        let received_at = std::time::Instant::now();
        let conn = attached.conn.clone();
        let current = self.is_current(&peer, conn.conn_id);
        let Some(sync) = &mut self.sync else {
            conn.send(Outbound::Frame(self.unavailable_for(&peer)));
            return Received::Handled;
        };
        if !current {
            // A new socket for this peer: nothing the old one was sent can be
            // assumed delivered.
            sync.attach(peer.clone(), attached.access);
            self.conns.insert(peer.clone(), attached);
        }
        // What applying the message leaves allocated is measured, as a load
        // is: a whole document arriving compressed costs far more memory
        // than its stored bytes suggest.
        let (received, heap) = crate::heap::measure(|| sync.receive(&peer, kind, data));
        let received = match received {
            Ok(r) => r,
            Err(e) => {
                warn!(doc = %self.id, peer = %peer, error = %e, "refused sync message");
                conn.send(Outbound::Fatal(e.to_string(), CloseReason::ProtocolError));
                self.conns.remove(&peer);
                sync.detach(&peer);
                return Received::Handled;
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
        if received.new_changes.is_empty() && received.new_change_hashes.is_empty() {
            return Received::AnswerSender(peer);
        }
        if received.whole_document {
            if let Some(heap) = heap {
                self.footprint.grew_heap(heap);
            }
            // A large document arriving whole (an upload to an empty
            // document) is kept as it came for the peers that will fetch
            // it fresh.
            if received.new_changes.len() >= linli_protocol::MIN_KEPT_BYTES {
                sync.offer_whole(received.new_changes.clone());
            }
        }
        Received::Store(ToStore {
            token: self.token_of(&peer),
            peer,
            conn,
            changes: received.new_changes,
            hashes: received.new_change_hashes,
            received_at,
        })
    }

    fn token_of(&self, peer: &PeerId) -> String {
        self.conns
            .get(peer)
            .map(|a| a.token.clone())
            .unwrap_or_default()
    }

    /// Stores every entry of `batch` with its audit entries, all handed to
    /// storage before any is awaited so they can share one commit. Returns
    /// whether all are durable; a peer whose changes could not be stored is
    /// told so and dropped.
    async fn store_all(&mut self, batch: Vec<ToStore>) -> bool {
        let at = crate::wall_clock_millis();
        let mut pending = Vec::with_capacity(batch.len());
        for s in batch {
            // Noted first so the bytes can move; on failure the caller
            // reloads, which rebuilds the ledger from what is stored.
            self.chunks.appended(&s.changes);
            self.footprint.grew(s.changes.len());
            let stored = if s.changes.is_empty() {
                None
            } else {
                let audit = Attribution {
                    change_hashes: s.hashes.iter().map(|h| h.to_string()).collect(),
                    token_name: s.token,
                    at,
                };
                Some(self.ctx.storage.append(self.id, s.changes, Some(audit)))
            };
            pending.push((s.peer, s.conn, s.hashes.len(), s.received_at, stored));
        }
        let mut all = true;
        for (peer, conn, count, received_at, stored) in pending {
            let outcome = match stored {
                Some(future) => future.await.map_err(PersistError::from),
                None => Ok(()),
            };
            match outcome {
                Ok(()) => self
                    .ctx
                    .metrics
                    .changes_stored(count, received_at.elapsed()),
                Err(reason) => {
                    all = false;
                    self.ctx.metrics.refused(reason.refusal);
                    error!(doc = %self.id, error = %reason, "could not store changes; dropping them");
                    conn.send(Outbound::Fatal(
                        format!(
                            "relay could not store changes to document {}: {reason}",
                            self.id
                        ),
                        CloseReason::RelayError,
                    ));
                    if self
                        .conns
                        .get(&peer)
                        .is_some_and(|a| a.conn.conn_id == conn.conn_id)
                    {
                        self.conns.remove(&peer);
                    }
                }
            }
        }
        all
    }

    /// Replaces the document's chunks with a snapshot when the policy says
    /// so. Runs after the answers are out; `save()` is CPU work, so it
    /// leaves the async threads to the other documents. A failure only
    /// keeps the chunks as they are (the changes are already durable).
    ///
    /// Compaction hands storage the bytes of `save()` and the chunks they
    /// replace; the live document never leaves this task.
    async fn compact(&mut self) {
        let Some(sync) = &mut self.sync else { return };
        if !self.chunks.is_due() {
            return;
        }
        let mut saved = None;
        let compacted =
            compaction::compact_if_due(&self.ctx.storage, self.id, &mut self.chunks, || {
                let bytes = off_the_async_threads(|| sync.doc().save());
                // Kept (if large) for peers that hold nothing: the save
                // is made at the document's current heads.
                if bytes.len() >= linli_protocol::MIN_KEPT_BYTES {
                    saved = Some(bytes.clone());
                }
                bytes
            })
            .await;
        match compacted {
            Ok(_) => {
                if let Some(bytes) = saved {
                    sync.offer_whole(bytes);
                }
            }
            Err(e) => {
                warn!(doc = %self.id, error = %e, "could not compact; keeping the chunks as they are")
            }
        }
    }

    /// Commits `changes` with their audit entries. On return without
    /// error the changes are durable.
    async fn persist(
        &mut self,
        changes: Vec<u8>,
        hashes: &[automerge::ChangeHash],
        token: String,
    ) -> Result<(), PersistError> {
        if self.sync.is_none() {
            return Err(PersistError {
                text: "document not loaded".into(),
                refusal: RefusalReason::Storage,
            });
        }
        let audit = Attribution {
            change_hashes: hashes.iter().map(|h| h.to_string()).collect(),
            token_name: token,
            at: crate::wall_clock_millis(),
        };
        self.chunks.appended(&changes);
        self.footprint.grew(changes.len());
        self.ctx
            .storage
            .append(self.id, changes, Some(audit))
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
        self.compact().await;
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

/// Runs CPU work (a big document's `save()`) so the runtime's other tasks
/// are not held up behind it: on a multi-thread runtime this thread hands
/// them to another while `f` runs.
fn off_the_async_threads<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}
