//! The registry of loaded documents, by document id. Each loaded document
//! is owned by one [`doc_actor`] task; every message for it goes through
//! [`DocRegistry::send`], which loads the document first if no task holds
//! it.
//!
//! Loaded documents leave memory one way, by their task ending, for one
//! of two reasons: nobody used it for `--idle-evict-secs` (the task asks
//! through its [`Retire`] handle), or together they hold more than the
//! memory budget and it is among the least recently used idle ones
//! ([`residency`] keeps that account from what each task reports).
//!
//! [`doc_actor`]: crate::doc_actor

mod residency;

use std::sync::{Arc, Mutex, MutexGuard};

use linli_protocol::DocumentId;
use tokio::sync::mpsc;
use tokio_util::task::TaskTracker;
use tracing::warn;

use crate::doc_actor::{self, DocCommand, DocContext, Retire};
use crate::metrics::Metrics;
use residency::Residency;

type Route = mpsc::UnboundedSender<DocCommand>;

/// The loaded documents; `None` once the relay stops.
type Loaded = Option<Residency<Route>>;

/// A cheap handle (an `Arc`) to the relay's loaded documents.
#[derive(Clone)]
pub struct DocRegistry {
    inner: Arc<Inner>,
}

struct Inner {
    ctx: DocContext,
    /// Shared with each task's [`Retire`] handle (not the whole registry,
    /// so tasks hold no reference back to it).
    docs: Arc<Mutex<Loaded>>,
    tasks: TaskTracker,
}

fn lock(docs: &Mutex<Loaded>) -> MutexGuard<'_, Loaded> {
    // Nothing here can be left half-updated by a panic: every critical
    // section is a handful of map operations.
    docs.lock().unwrap_or_else(|p| p.into_inner())
}

impl DocRegistry {
    /// Document tasks spawned by this registry run with `ctx` and are
    /// tracked by `tasks`, so shutdown can wait for them. Loaded documents
    /// may hold `memory_budget` bytes together before idle ones are evicted.
    pub fn new(ctx: DocContext, tasks: TaskTracker, memory_budget: u64) -> Self {
        ctx.metrics.documents_memory(0, memory_budget);
        Self {
            inner: Arc::new(Inner {
                ctx,
                docs: Arc::new(Mutex::new(Some(Residency::new(memory_budget)))),
                tasks,
            }),
        }
    }

    /// Number of documents loaded in memory.
    pub fn loaded(&self) -> usize {
        lock(&self.inner.docs).as_ref().map_or(0, Residency::len)
    }

    /// Bytes of memory the loaded documents hold together.
    pub fn memory(&self) -> u64 {
        lock(&self.inner.docs).as_ref().map_or(0, Residency::total)
    }

    /// Delivers `cmd` to the document's task, loading the document first if
    /// no task holds it. Once the relay stops, commands are dropped: a
    /// connection closing late must not load a document again (and keep
    /// shutdown waiting for its idle time); an unanswered `sync` is sent
    /// again by its device after the restart.
    pub fn send(&self, doc: DocumentId, cmd: DocCommand) {
        let mut guard = lock(&self.inner.docs);
        let Some(docs) = guard.as_mut() else {
            return;
        };
        let cmd = match docs.route(&doc) {
            Some(tx) => match tx.send(cmd) {
                Ok(()) => return,
                Err(mpsc::error::SendError(cmd)) => cmd,
            },
            None => cmd,
        };
        let (tx, rx) = mpsc::unbounded_channel();
        // The receiver is alive: it is moved into the task just below.
        let _ = tx.send(cmd);
        docs.insert(doc, tx);
        let retire = retire_handle(self.inner.docs.clone(), doc, self.inner.ctx.metrics.clone());
        self.inner
            .tasks
            .spawn(doc_actor::run(self.inner.ctx.clone(), doc, rx, retire));
    }

    /// Delivers `cmd` to the document's task if one holds it; a document
    /// not loaded is left alone (it loads fresh when next asked for).
    pub fn send_if_loaded(&self, doc: DocumentId, cmd: DocCommand) {
        let mut guard = lock(&self.inner.docs);
        if let Some(tx) = guard.as_mut().and_then(|docs| docs.route(&doc)) {
            let _ = tx.send(cmd);
        }
    }

    /// The documents loaded now.
    pub fn loaded_ids(&self) -> Vec<DocumentId> {
        lock(&self.inner.docs)
            .as_ref()
            .map_or_else(Vec::new, |docs| docs.ids())
    }

    /// Stops every document task (each finishes the command it is on, so no
    /// write is cut in half) and loads no document from then on.
    pub fn stop_all(&self) {
        let stopped = lock(&self.inner.docs).take();
        for tx in stopped
            .into_iter()
            .flat_map(|mut d| d.drain().collect::<Vec<_>>())
        {
            let _ = tx.send(DocCommand::Stop);
        }
    }
}

/// The handle a task of `doc` reports and retires through.
///
/// Retiring: an idle task is removed from the registry unless a command
/// arrived meanwhile. Senders hold the registry lock while sending, so
/// nothing can arrive after this says yes.
///
/// Reporting: the task's memory and idleness (idle only if nothing is
/// queued, checked under the same lock) go into the account; if the
/// documents are then over budget, the least recently used idle ones are
/// taken out and their tasks told to end.
fn retire_handle(docs: Arc<Mutex<Loaded>>, doc: DocumentId, metrics: Metrics) -> Retire {
    let reports = docs.clone();
    let retire_metrics = metrics.clone();
    Retire::new(move |rx| {
        let mut docs = lock(&docs);
        if rx.is_empty() {
            if let Some(docs) = docs.as_mut() {
                docs.remove(&doc);
                retire_metrics.documents_memory(docs.total(), docs.budget());
            }
            true
        } else {
            false
        }
    })
    .with_report(move |rx, bytes, idle| {
        let mut guard = lock(&reports);
        let Some(docs) = guard.as_mut() else {
            return;
        };
        let reported = docs.report(&doc, bytes, idle && rx.is_empty());
        metrics.documents_memory(docs.total(), docs.budget());
        let budget = docs.budget();
        drop(guard);
        if reported.over_budget {
            metrics.document_over_budget();
            warn!(
                doc = %doc,
                bytes,
                budget,
                "document is larger than the whole memory budget (--memory-budget); serving it anyway, and evicting it as soon as it is idle"
            );
        }
        for (_, tx) in reported.evicted {
            // A task already ending has dropped its receiver: nothing to tell.
            let _ = tx.send(DocCommand::Evict);
        }
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use linli_protocol::PeerId;

    use super::*;
    use crate::storage::Storage;
    use crate::street_directory::StreetDirectory;

    fn registry(dir: &tempfile::TempDir, tasks: &TaskTracker) -> DocRegistry {
        let storage = Storage::open(&dir.path().join("relay.sqlite"), None).unwrap();
        DocRegistry::new(
            DocContext {
                storage,
                relay_id: PeerId::new("relay"),
                idle_evict: Duration::from_secs(30),
                directory: StreetDirectory::none(),
                metrics: crate::metrics::Metrics::new(),
            },
            tasks.clone(),
            u64::MAX,
        )
    }

    fn detach(conn_id: u64) -> DocCommand {
        DocCommand::Detach {
            peer: PeerId::new("wang"),
            conn_id,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_document_is_loaded_on_demand_and_leaves_the_registry_when_idle() {
        let dir = tempfile::tempdir().unwrap();
        let tasks = TaskTracker::new();
        let docs = registry(&dir, &tasks);
        let id = DocumentId::random(&mut rand::rng());
        docs.send(id, detach(1));
        docs.send(id, detach(2));
        assert_eq!(docs.loaded(), 1, "one task per document");
        tasks.close();
        tokio::time::timeout(Duration::from_secs(24 * 3600), tasks.wait())
            .await
            .unwrap();
        assert_eq!(docs.loaded(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stopped_registry_loads_no_document() {
        let dir = tempfile::tempdir().unwrap();
        let tasks = TaskTracker::new();
        let docs = registry(&dir, &tasks);
        docs.send(DocumentId::random(&mut rand::rng()), detach(1));
        docs.stop_all();
        docs.send(DocumentId::random(&mut rand::rng()), detach(2));
        assert_eq!(docs.loaded(), 0);
        tasks.close();
        tokio::time::timeout(Duration::from_secs(24 * 3600), tasks.wait())
            .await
            .unwrap();
        assert_eq!(tasks.len(), 0, "the stopped task ended");
    }
}
