//! Creating, editing, reading and asking for documents.
//!
//! Every edit is committed to SQLite before the call that made it returns;
//! only then are subscribers told and the sync loop woken.

use automerge::transaction::{CommitOptions, Transactable, Transaction};
use automerge::{Automerge, ChangeHash};
use linli_protocol::DocumentId;

use crate::device_store::Load;
use crate::events::DocEventKind;
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
        *self.inner.author.lock().unwrap_or_else(|p| p.into_inner()) = person.map(str::to_owned);
    }

    fn author(&self) -> Option<String> {
        self.inner
            .author
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Creates a new document whose first change is made by `edit`, and
    /// stores it. If `edit` makes no operations the first change is empty.
    pub fn create_with<R, F>(&self, edit: F) -> Result<(DocumentId, R), ClientError>
    where
        F: FnOnce(&mut Transaction<'_>) -> Result<R, EditError>,
    {
        let id = DocumentId::random(&mut rand::rng());
        let time = self.inner.clock.change_time();
        let store = &self.inner.store;
        let author = self.author();
        // Nobody else knows the new id yet: it needs no document lock until
        // it is stored and put in memory.
        let mut am = Automerge::new().with_actor(store.actor().clone());
        let result = {
            let mut tx = am.transaction();
            let result = edit(&mut tx).map_err(|source| ClientError::Edit {
                doc: id,
                source: Box::new(source),
            })?;
            tx.commit_with(commit_options(author.as_deref(), time));
            result
        };
        if am.get_heads().is_empty() {
            am.empty_commit(commit_options(author.as_deref(), time));
        }
        store.store_new(id, &am)?;
        let heads = am.get_heads();
        store.insert(id, am)?;
        tracing::debug!(doc = %id, "document created");
        self.after_local_change(id, heads);
        Ok((id, result))
    }

    /// Edits `doc` in one automerge transaction: runs `edit`, commits with
    /// the current time, appends the change to the store, and only then
    /// returns. If `edit` fails, nothing is changed. An edit that makes no
    /// operations produces no change.
    ///
    /// `edit` runs while the document is held: do not call this client's
    /// methods from inside it.
    pub fn change<R, F>(&self, doc: DocumentId, edit: F) -> Result<R, ClientError>
    where
        F: FnOnce(&mut Transaction<'_>) -> Result<R, EditError>,
    {
        let time = self.inner.clock.change_time();
        let store = &self.inner.store;
        if store.is_read_only(doc)? {
            return Err(ClientError::ReadOnly { doc });
        }
        let author = self.author();
        // A failed edit is the outer `Ok(Err(_))`: it changed nothing, so
        // the document stays open. A failed write is the outer `Err`, which
        // drops the document from memory: its change exists only there.
        let edited = store.with_doc(doc, Load::Stored, |open| {
            if open.sync.is_empty() {
                return Ok(Err(ClientError::NotFound { doc }));
            }
            let am = open.sync.doc_mut();
            let before = am.get_heads();
            let mut tx = am.transaction();
            let result = match edit(&mut tx) {
                Ok(r) => r,
                Err(source) => {
                    tx.rollback();
                    return Ok(Err(ClientError::Edit {
                        doc,
                        source: Box::new(source),
                    }));
                }
            };
            if tx.pending_ops() == 0 {
                tx.rollback();
                return Ok(Ok((result, None)));
            }
            tx.commit_with(commit_options(author.as_deref(), time));
            let (bytes, heads) = (am.save_after(&before), am.get_heads());
            store.save_changes(doc, open, &bytes)?;
            Ok(Ok((result, Some(heads))))
        })?;
        let (result, heads) = edited.unwrap_or(Err(ClientError::NotFound { doc }))?;
        if let Some(heads) = heads {
            self.after_local_change(doc, heads);
        }
        Ok(result)
    }

    /// Reads `doc`. Fails with [`ClientError::NotFound`] when the document
    /// has no data on this device (use [`Client::want`] and sync to fetch it).
    ///
    /// `read` runs while the document is held: do not call this client's
    /// methods from inside it.
    pub fn read<R>(
        &self,
        doc: DocumentId,
        read: impl FnOnce(&Automerge) -> R,
    ) -> Result<R, ClientError> {
        let value = self.inner.store.with_doc(doc, Load::Stored, |open| {
            Ok((!open.sync.is_empty()).then(|| read(open.sync.doc())))
        })?;
        value.flatten().ok_or(ClientError::NotFound { doc })
    }

    /// The document's current heads (empty when it is not here).
    pub fn heads(&self, doc: DocumentId) -> Result<Vec<ChangeHash>, ClientError> {
        let heads = self
            .inner
            .store
            .with_doc(doc, Load::Stored, |open| Ok(open.sync.heads()))?;
        Ok(heads.unwrap_or_default())
    }

    /// The heads the relay last confirmed holding for `doc`, as stored
    /// (sorted; empty when none): every change in their history is safe on
    /// the relay. What [`Client::pending`] counts against, for a caller that
    /// must check the promise itself, such as a fault test or an audit.
    pub fn confirmed_heads(&self, doc: DocumentId) -> Result<Vec<ChangeHash>, ClientError> {
        self.inner.store.stored_confirmed(doc)
    }

    /// Whether `doc` has data on this device.
    pub fn contains(&self, doc: DocumentId) -> Result<bool, ClientError> {
        self.inner.store.contains(doc)
    }

    /// Whether the relay said this device's token may only read `doc`
    /// ([`Client::change`] then refuses): a command that would create
    /// documents before editing `doc` asks first, so it changes nothing.
    pub fn is_read_only(&self, doc: DocumentId) -> Result<bool, ClientError> {
        self.inner.store.is_read_only(doc)
    }

    /// Every document with data on this device, in id order.
    pub fn documents(&self) -> Result<Vec<DocumentId>, ClientError> {
        self.inner.store.list()
    }

    /// Asks for a document known only by its id: the sync loop (of this
    /// process or any other using the same directory) requests it from the
    /// relay until it arrives. Returns `false` when it is already here.
    pub fn want(&self, doc: DocumentId) -> Result<bool, ClientError> {
        let store = &self.inner.store;
        if store.with_store(|s| s.contains(&doc))? {
            return Ok(false);
        }
        store.add_wanted(doc)?;
        store.with_doc(doc, Load::OrEmpty, |_| Ok(()))?;
        self.notify_local(doc);
        Ok(true)
    }

    /// [`Client::want`] for many documents at once, as every record
    /// command does for the documents the street's directory lists: the
    /// wanted list is read once and written once, and only when a document
    /// is newly wanted, so a read command writes nothing. Returns how many
    /// were newly asked for.
    pub fn want_all(&self, docs: &[DocumentId]) -> Result<usize, ClientError> {
        let store = &self.inner.store;
        let added = store.add_wanted_all(docs)?;
        for doc in &added {
            store.with_doc(*doc, Load::OrEmpty, |_| Ok(()))?;
            self.notify_local(*doc);
        }
        Ok(added.len())
    }

    /// Stops asking for `doc` (it stays if it has already arrived).
    pub fn unwant(&self, doc: DocumentId) -> Result<(), ClientError> {
        self.inner.store.unwant(doc)?;
        self.inner.store.close_if_empty(doc);
        Ok(())
    }

    /// Documents asked for with [`Client::want`] that have not arrived.
    pub fn wanted(&self) -> Result<Vec<DocumentId>, ClientError> {
        let store = &self.inner.store;
        let mut out = Vec::new();
        for doc in store.wanted()? {
            if !store.with_store(|s| s.contains(&doc))? {
                out.push(doc);
            }
        }
        Ok(out)
    }

    fn after_local_change(&self, doc: DocumentId, heads: Vec<ChangeHash>) {
        self.inner.store.emit(doc, DocEventKind::Local, heads);
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
