//! The registry of loaded documents, by document id. Each loaded document
//! is owned by one [`doc_actor`] task; every message for it goes through
//! [`DocRegistry::send`], which loads the document first if no task holds
//! it. An idle task ends through the [`Retire`] handle it was given.
//!
//! [`doc_actor`]: crate::doc_actor

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use linli_protocol::DocumentId;
use tokio::sync::mpsc;
use tokio_util::task::TaskTracker;

use crate::doc_actor::{self, DocCommand, DocContext, Retire};

/// The loaded documents' command channels; `None` once the relay stops.
type Senders = Option<HashMap<DocumentId, mpsc::UnboundedSender<DocCommand>>>;

/// A cheap handle (an `Arc`) to the relay's loaded documents.
#[derive(Clone)]
pub struct DocRegistry {
    inner: Arc<Inner>,
}

struct Inner {
    ctx: DocContext,
    /// Shared with each task's [`Retire`] handle (not the whole registry,
    /// so tasks hold no reference back to it).
    docs: Arc<Mutex<Senders>>,
    tasks: TaskTracker,
}

fn lock(docs: &Mutex<Senders>) -> MutexGuard<'_, Senders> {
    // Nothing here can be left half-updated by a panic: every critical
    // section is a single map operation.
    docs.lock().unwrap_or_else(|p| p.into_inner())
}

impl DocRegistry {
    /// Document tasks spawned by this registry run with `ctx` and are
    /// tracked by `tasks`, so shutdown can wait for them.
    pub fn new(ctx: DocContext, tasks: TaskTracker) -> Self {
        Self {
            inner: Arc::new(Inner {
                ctx,
                docs: Arc::new(Mutex::new(Some(HashMap::new()))),
                tasks,
            }),
        }
    }

    /// Number of documents loaded in memory.
    pub fn loaded(&self) -> usize {
        lock(&self.inner.docs).as_ref().map_or(0, HashMap::len)
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
        let cmd = match docs.get(&doc) {
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
        let retire = retire_handle(self.inner.docs.clone(), doc);
        self.inner
            .tasks
            .spawn(doc_actor::run(self.inner.ctx.clone(), doc, rx, retire));
    }

    /// Stops every document task (each finishes the command it is on, so no
    /// write is cut in half) and loads no document from then on.
    pub fn stop_all(&self) {
        for tx in lock(&self.inner.docs)
            .take()
            .into_iter()
            .flat_map(|d| d.into_values())
        {
            let _ = tx.send(DocCommand::Stop);
        }
    }
}

/// Lets an idle task of `doc` end: it is removed from the registry unless
/// a command arrived meanwhile. Senders hold the registry lock while
/// sending, so nothing can arrive after this says yes.
fn retire_handle(docs: Arc<Mutex<Senders>>, doc: DocumentId) -> Retire {
    Retire::new(move |rx| {
        let mut docs = lock(&docs);
        if rx.is_empty() {
            if let Some(docs) = docs.as_mut() {
                docs.remove(&doc);
            }
            true
        } else {
            false
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
