//! Group commit: one writer takes every append waiting from every document
//! and commits them in one transaction, with one fsync.
//!
//! A document task hands its changes over with [`GroupCommit::submit`],
//! which queues them at once and returns a future that resolves when they
//! are durable (or why not). The task sends nothing that advertises them
//! before then (DESIGN.md, "Durability"), so the rule is unchanged; only
//! the fsync is shared. While one batch is being committed the next one
//! gathers, so the more documents are busy, the more each fsync carries.
//!
//! The writer is a blocking task that exists while there is work: the
//! first append into an empty queue starts it, and it ends when it finds
//! the queue empty. (A blocking task rather than a thread of its own, so
//! tokio knows the relay is busy, and a test's paused clock waits for it.)
//!
//! When a batch fails, the writer retries its appends one by one, so each
//! caller learns of its own failure only (say, a change whose audit row is
//! refused) and every other append is stored as if alone.

use std::sync::{Arc, Mutex, MutexGuard};

use linli_store::{Append, Store, StoreError};
use tokio::sync::oneshot;

/// At most this many appends go into one transaction, so one commit never
/// grows without bound while peers keep sending.
const MAX_BATCH: usize = 512;

type Reply = oneshot::Sender<Result<(), StoreError>>;

/// The appends waiting for the writer, and whether it is running.
#[derive(Default)]
struct Queue {
    waiting: Vec<(Append, Reply)>,
    writing: bool,
}

/// The queue to the writer of one store.
pub(crate) struct GroupCommit {
    store: Arc<Mutex<Store>>,
    queue: Arc<Mutex<Queue>>,
}

impl GroupCommit {
    /// Group commits for `store`.
    pub(crate) fn new(store: Arc<Mutex<Store>>) -> Self {
        Self {
            store,
            queue: Arc::default(),
        }
    }

    /// Queues `append` now; the future resolves once it is committed.
    pub(crate) fn submit(
        &self,
        append: Append,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + 'static {
        let (reply, durable) = oneshot::channel();
        let start = {
            let mut queue = lock(&self.queue);
            queue.waiting.push((append, reply));
            !std::mem::replace(&mut queue.writing, true)
        };
        if start {
            let (store, queue) = (self.store.clone(), self.queue.clone());
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn_blocking(move || write_all(&store, &queue));
                }
                // Not on a runtime (never in the relay): write here.
                Err(_) => write_all(&store, &queue),
            }
        }
        async move {
            durable
                .await
                .unwrap_or_else(|_| Err(StoreError::backend("the storage writer stopped")))
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every write is one transaction, so a panic while holding a lock
    // cannot leave SQLite half-written: a poisoned lock is usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Commits batches until the queue is empty, then ends.
fn write_all(store: &Mutex<Store>, queue: &Mutex<Queue>) {
    loop {
        let batch = {
            let mut queue = lock(queue);
            if queue.waiting.is_empty() {
                queue.writing = false;
                return;
            }
            let take = queue.waiting.len().min(MAX_BATCH);
            queue.waiting.drain(..take).collect::<Vec<_>>()
        };
        commit(store, batch);
    }
}

/// Commits `batch` in one transaction, or, if that fails, each append in
/// its own, and tells every caller its outcome.
fn commit(store: &Mutex<Store>, batch: Vec<(Append, Reply)>) {
    let mut store = lock(store);
    let (appends, replies): (Vec<Append>, Vec<Reply>) = batch.into_iter().unzip();
    match store.append_batch(&appends) {
        Ok(()) => {
            tracing::trace!(appends = appends.len(), "group committed");
            for reply in replies {
                let _ = reply.send(Ok(()));
            }
        }
        Err(e) if appends.len() == 1 => {
            if let Some(reply) = replies.into_iter().next() {
                let _ = reply.send(Err(e));
            }
        }
        Err(e) => {
            tracing::debug!(error = %e, appends = appends.len(), "group commit failed; committing one by one");
            for (append, reply) in appends.iter().zip(replies) {
                let _ = reply.send(store.append_chunk(
                    &append.doc,
                    &append.bytes,
                    append.audit.as_ref(),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_protocol::DocumentId;
    use linli_store::Attribution;

    fn change(n: u8) -> (DocumentId, Vec<u8>, String) {
        let mut doc = automerge::AutoCommit::new();
        automerge::transaction::Transactable::put(&mut doc, automerge::ROOT, "n", i64::from(n))
            .unwrap();
        let hash = doc.get_heads()[0].to_string();
        (DocumentId::from_bytes([n; 16]), doc.save(), hash)
    }

    fn append(n: u8, hash: Option<&str>) -> Append {
        let (doc, bytes, real) = change(n);
        Append {
            doc,
            bytes,
            audit: Some(Attribution {
                change_hashes: vec![hash.unwrap_or(&real).to_owned()],
                token_name: "admin".into(),
                at: 1,
            }),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn appends_from_many_documents_are_durable_when_each_resolves() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Mutex::new(
            Store::open_relay(&dir.path().join("s.sqlite")).unwrap(),
        ));
        let writer = GroupCommit::new(store.clone());
        let pending: Vec<_> = (1..=40).map(|n| writer.submit(append(n, None))).collect();
        for durable in pending {
            durable.await.unwrap();
        }
        let store = lock(&store);
        assert_eq!(store.list().unwrap().len(), 40);
        for n in 1..=40 {
            let doc = DocumentId::from_bytes([n; 16]);
            assert_eq!(store.audit(&doc, 0).unwrap().len(), 1);
        }
    }

    #[test]
    fn a_bad_append_in_a_batch_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = Mutex::new(Store::open_relay(&dir.path().join("s.sqlite")).unwrap());
        let mut outcomes = Vec::new();
        let batch = [
            append(1, None),
            append(2, Some("not a hash")),
            append(3, None),
        ]
        .into_iter()
        .map(|a| {
            let (reply, outcome) = oneshot::channel();
            outcomes.push(outcome);
            (a, reply)
        })
        .collect();
        commit(&store, batch);
        let outcomes: Vec<bool> = outcomes
            .into_iter()
            .map(|mut o| o.try_recv().unwrap().is_ok())
            .collect();
        assert_eq!(outcomes, [true, false, true]);
        let listed = lock(&store).list().unwrap();
        assert_eq!(
            listed,
            [
                DocumentId::from_bytes([1; 16]),
                DocumentId::from_bytes([3; 16])
            ]
        );
    }
}
