//! What a document task needs from the rest of the relay, and nothing more:
//! it never sees the registry that routes commands to it, so it can run in
//! a test with nothing else around.

use std::time::Duration;

use linli_protocol::PeerId;
use tokio::sync::mpsc;

use super::command::DocCommand;
use crate::metrics::Metrics;
use crate::storage::Storage;
use crate::street_directory::StreetDirectory;

/// Shared by every document task of a relay (cheap to clone).
///
/// Generic over the storage backend so the relay stores in SQLite
/// ([`Storage`], the default) while the task's own tests use
/// [`linli_store::MemoryStore`], with neither a disk nor sockets.
#[derive(Clone)]
pub struct DocContext<S = Storage> {
    /// Where documents are loaded from and their changes stored.
    pub storage: S,
    /// The relay's peer id: the sender of everything a task sends.
    pub relay_id: PeerId,
    /// How long a document with no attached peer stays loaded.
    pub idle_evict: Duration,
    /// Told whenever a document changes, in case it is the directory.
    pub directory: StreetDirectory,
    /// The relay's figures: stores, refusals, loads and evictions.
    pub metrics: Metrics,
}

/// The task's line to whoever routes commands to it (the registry).
///
/// It reports what memory the document holds and whether it is idle, for
/// the memory budget; and an idle task asks whether it may end. Whoever
/// routes says yes only when no command is queued (`rx` is empty), and from
/// then on routes new commands to a fresh task: no command is lost. Both
/// take `rx` for that reason: "idle" also means nothing is queued.
pub struct Retire {
    ask: Box<AskFn>,
    report: Box<ReportFn>,
}

type AskFn = dyn Fn(&mpsc::UnboundedReceiver<DocCommand>) -> bool + Send + Sync;
type ReportFn = dyn Fn(&mpsc::UnboundedReceiver<DocCommand>, u64, bool) + Send + Sync;

impl Retire {
    /// A handle that answers `ask` with `f` and ignores reports.
    pub fn new(
        f: impl Fn(&mpsc::UnboundedReceiver<DocCommand>) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self {
            ask: Box::new(f),
            report: Box::new(|_, _, _| {}),
        }
    }

    /// Reports go to `f(rx, bytes, idle)`.
    pub fn with_report(
        mut self,
        f: impl Fn(&mpsc::UnboundedReceiver<DocCommand>, u64, bool) + Send + Sync + 'static,
    ) -> Self {
        self.report = Box::new(f);
        self
    }

    /// Whether the task may end now.
    pub fn ask(&self, rx: &mpsc::UnboundedReceiver<DocCommand>) -> bool {
        (self.ask)(rx)
    }

    /// The document holds `bytes` of memory, and is `idle` (no peer
    /// attached) or not.
    pub fn report(&self, rx: &mpsc::UnboundedReceiver<DocCommand>, bytes: u64, idle: bool) {
        (self.report)(rx, bytes, idle)
    }
}
