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

/// Asked by an idle task whether it may end. Whoever routes commands to the
/// task says yes only when none is queued (`rx` is empty), and from then on
/// routes new commands to a fresh task: no command is lost.
pub struct Retire(Box<RetireFn>);

type RetireFn = dyn Fn(&mpsc::UnboundedReceiver<DocCommand>) -> bool + Send + Sync;

impl Retire {
    pub fn new(
        f: impl Fn(&mpsc::UnboundedReceiver<DocCommand>) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self(Box::new(f))
    }

    /// Whether the task may end now.
    pub fn ask(&self, rx: &mpsc::UnboundedReceiver<DocCommand>) -> bool {
        (self.0)(rx)
    }
}
