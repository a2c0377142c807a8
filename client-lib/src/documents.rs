//! Creating, editing, reading and asking for documents.
//!
//! Every edit is committed to SQLite before the call that made it returns;
//! only then are subscribers told and the sync loop woken.

use automerge::transaction::{CommitOptions, Transactable, Transaction};
use automerge::{Automerge, ChangeHash};
use linli_protocol::DocumentId;
use linli_store::Store;

use crate::events::DocEventKind;
use crate::state::{READ_ONLY_KEY, State};
use crate::{Client, ClientError, EditError};

impl Client {
    /// Creates a new, empty document (one empty change, so it has a head and
    /// can be pushed) and stores it.
    pub fn create(&self) -> Result<DocumentId, ClientError> {
        self.create_with(|_| Ok(())).map(|(id, ())| id)
    }

    /// Records `person` (a person id, as `--as` gives it) as the author of
    /// this client's changes from now on: each change carries it as its
    /// message, so other devices can say who wrote a value. `None` stops.
    pub fn set_author(&self, person: Option<&str>) {
        self.lock().author = person.map(str::to_owned);
    }

    /// Creates a new document whose first change is made by `edit`, and
    /// stores it. If `edit` makes no operations the first change is empty.
    pub fn create_with<R, F>(&self, edit: F) -> Result<(DocumentId, R), ClientError>
    where
        F: FnOnce(&mut Transaction<'_>) -> Result<R, EditError>,
    {
        let id = DocumentId::random(&mut rand::rng());
        let time = self.inner.clock.change_time();
        let (heads, result) = {
            let mut state = self.lock();
            let mut am = Automerge::new().with_actor(state.actor.clone());
            let result = {
                let mut tx = am.transaction();
                let result = edit(&mut tx).map_err(|source| ClientError::Edit {
                    doc: id,
                    source: Box::new(source),
                })?;
                tx.commit_with(commit_options(state.author.as_deref(), time));
                result
            };
            if am.get_heads().is_empty() {
                am.empty_commit(commit_options(state.author.as_deref(), time));
            }
            state.store.append(&id, &am.save())?;
            compact(&mut state.store, &id, &am);
            let heads = am.get_heads();
            state.insert(id, am)?;
            tracing::debug!(doc = %id, "document created");
            (heads, result)
        };
        self.after_local_change(id, heads);
        Ok((id, result))
    }

    /// Edits `doc` in one automerge transaction: runs `edit`, commits with
    /// the current time, appends the change to the store, and only then
    /// returns. If `edit` fails, nothing is changed. An edit that makes no
    /// operations produces no change.
    ///
    /// `edit` runs while the client's lock is held: do not call this
    /// client's methods from inside it.
    pub fn change<R, F>(&self, doc: DocumentId, edit: F) -> Result<R, ClientError>
    where
        F: FnOnce(&mut Transaction<'_>) -> Result<R, EditError>,
    {
        let time = self.inner.clock.change_time();
        let (result, heads) = {
            let mut state = self.lock();
            if state.store.doc_meta_get(&doc, READ_ONLY_KEY)?.is_some() {
                return Err(ClientError::ReadOnly { doc });
            }
            let author = state.author.clone();
            let (result, saved) = {
                let loaded = match state.loaded(doc)? {
                    Some(l) if !l.sync.is_empty() => l,
                    _ => return Err(ClientError::NotFound { doc }),
                };
                let am = loaded.sync.doc_mut();
                let before = am.get_heads();
                let mut tx = am.transaction();
                let result = match edit(&mut tx) {
                    Ok(r) => r,
                    Err(source) => {
                        tx.rollback();
                        return Err(ClientError::Edit {
                            doc,
                            source: Box::new(source),
                        });
                    }
                };
                if tx.pending_ops() == 0 {
                    tx.rollback();
                    return Ok(result);
                }
                tx.commit_with(commit_options(author.as_deref(), time));
                (result, (am.save_after(&before), am.get_heads()))
            };
            let (bytes, heads) = saved;
            let State { store, docs, .. } = &mut *state;
            if let Err(e) = store.append(&doc, &bytes) {
                // The change exists only in memory: drop it so nothing can
                // send it as if it were saved.
                docs.remove(&doc);
                return Err(e.into());
            }
            if let Some(loaded) = docs.get(&doc) {
                compact(store, &doc, loaded.sync.doc());
            }
            (result, heads)
        };
        self.after_local_change(doc, heads);
        Ok(result)
    }

    /// Reads `doc`. Fails with [`ClientError::NotFound`] when the document
    /// has no data on this device (use [`Client::want`] and sync to fetch it).
    ///
    /// `read` runs while the client's lock is held: do not call this
    /// client's methods from inside it.
    pub fn read<R>(
        &self,
        doc: DocumentId,
        read: impl FnOnce(&Automerge) -> R,
    ) -> Result<R, ClientError> {
        let mut state = self.lock();
        match state.loaded(doc)? {
            Some(l) if !l.sync.is_empty() => Ok(read(l.sync.doc())),
            _ => Err(ClientError::NotFound { doc }),
        }
    }

    /// The document's current heads (empty when it is not here).
    pub fn heads(&self, doc: DocumentId) -> Result<Vec<ChangeHash>, ClientError> {
        let mut state = self.lock();
        Ok(state
            .loaded(doc)?
            .map(|l| l.sync.heads())
            .unwrap_or_default())
    }

    /// Whether `doc` has data on this device.
    pub fn contains(&self, doc: DocumentId) -> Result<bool, ClientError> {
        let state = self.lock();
        if state.docs.get(&doc).is_some_and(|l| !l.sync.is_empty()) {
            return Ok(true);
        }
        Ok(state.store.contains(&doc)?)
    }

    /// Every document with data on this device, in id order.
    pub fn documents(&self) -> Result<Vec<DocumentId>, ClientError> {
        Ok(self.lock().store.list()?)
    }

    /// Asks for a document known only by its id: the sync loop (of this
    /// process or any other using the same directory) requests it from the
    /// relay until it arrives. Returns `false` when it is already here.
    pub fn want(&self, doc: DocumentId) -> Result<bool, ClientError> {
        {
            let mut state = self.lock();
            if state.store.contains(&doc)? {
                return Ok(false);
            }
            let mut wanted = state.wanted()?;
            if !wanted.contains(&doc) {
                wanted.push(doc);
                state.set_wanted(&wanted)?;
            }
            state.loaded_or_empty(doc)?;
        }
        self.notify_local(doc);
        Ok(true)
    }

    /// Stops asking for `doc` (it stays if it has already arrived).
    pub fn unwant(&self, doc: DocumentId) -> Result<(), ClientError> {
        let mut state = self.lock();
        state.unwant(&doc)?;
        if state.docs.get(&doc).is_some_and(|l| l.sync.is_empty()) {
            state.docs.remove(&doc);
        }
        Ok(())
    }

    /// Documents asked for with [`Client::want`] that have not arrived.
    pub fn wanted(&self) -> Result<Vec<DocumentId>, ClientError> {
        let state = self.lock();
        let mut out = Vec::new();
        for doc in state.wanted()? {
            if !state.store.contains(&doc)? {
                out.push(doc);
            }
        }
        Ok(out)
    }

    fn after_local_change(&self, doc: DocumentId, heads: Vec<ChangeHash>) {
        self.inner.events.emit(doc, DocEventKind::Local, heads);
        self.notify_local(doc);
    }
}

/// Every local change carries its `time` (seconds since the epoch, from the
/// client's [`Clock`](crate::Clock)) and, when known, who made it (as the
/// change message, which other automerge peers show as such).
fn commit_options(author: Option<&str>, time: i64) -> CommitOptions {
    let options = CommitOptions::default().with_time(time);
    match author {
        Some(person) => options.with_message(person.to_owned()),
        None => options,
    }
}

/// Compacts `doc` if the store's policy says so. The change is already
/// durable, so a failure here is only logged.
pub(crate) fn compact(store: &mut Store, doc: &DocumentId, am: &Automerge) {
    if let Err(e) = store.compact_if_needed(doc, am) {
        tracing::warn!(%doc, error = %e, "compaction failed; the document stays as stored");
    }
}
