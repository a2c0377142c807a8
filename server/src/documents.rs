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

type Senders = HashMap<DocumentId, mpsc::UnboundedSender<DocCommand>>;

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
                docs: Arc::new(Mutex::new(HashMap::new())),
                tasks,
            }),
        }
    }

    /// Number of documents loaded in memory.
    pub fn loaded(&self) -> usize {
        lock(&self.inner.docs).len()
    }

    /// Delivers `cmd` to the document's task, loading the document first if
    /// no task holds it.
    pub fn send(&self, doc: DocumentId, cmd: DocCommand) {
        let mut docs = lock(&self.inner.docs);
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
    /// write is cut in half).
    pub fn stop_all(&self) {
        for tx in lock(&self.inner.docs).values() {
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
            docs.remove(&doc);
            true
        } else {
            false
        }
    })
}
