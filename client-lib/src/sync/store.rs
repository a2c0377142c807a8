//! [`SyncStore`]: what a sync session may do to the device's documents, and
//! nothing more (not the settings, not editing).
//!
//! The device's [`DeviceStore`](crate::device_store::DeviceStore)
//! implements it over SQLite; a browser build can implement it over its own
//! storage and drive the same session.

use automerge::ChangeHash;
use linli_protocol::DocumentId;

use super::session::{Scope, Session};
use crate::device_store::{DeviceStore, Load, OpenDoc};
use crate::events::DocEventKind;
use crate::pending::Pending;
use crate::{Client, ClientError};

/// The device's documents as a sync session sees them.
pub(crate) trait SyncStore: Send + Sync {
    /// Every document a full session offers: stored, asked for, and
    /// created in memory.
    fn documents(&self) -> Result<Vec<DocumentId>, ClientError>;

    /// Runs `step` on `doc`, opened as `load` says, with the document held
    /// so that nothing else sees it until `step` returns; `false` when there
    /// is no such document. When `step` fails the document is dropped from
    /// memory, so changes that could not be saved are never sent.
    fn with_doc(
        &self,
        doc: DocumentId,
        load: Load,
        step: &mut dyn FnMut(&mut OpenDoc) -> Result<(), ClientError>,
    ) -> Result<bool, ClientError>;

    /// Runs `step` on every open document.
    fn for_each_open(&self, step: &mut dyn FnMut(DocumentId, &mut OpenDoc));

    /// Durably stores `changes` received for `doc` (already applied to
    /// `open`) before anything is answered, and stops asking for it.
    fn save_changes(
        &self,
        doc: DocumentId,
        open: &OpenDoc,
        changes: &[u8],
    ) -> Result<(), ClientError>;

    /// Stores the heads the relay confirmed holding for `doc`; what they do
    /// not cover is [`pending`](SyncStore::pending).
    fn save_confirmed(&self, doc: DocumentId, heads: &[ChangeHash]) -> Result<(), ClientError>;

    /// Remembers that the relay lets this device only read `doc`.
    fn mark_read_only(&self, doc: DocumentId) -> Result<(), ClientError>;

    /// This device's changes to `doc` the relay has not confirmed.
    fn pending(&self, doc: DocumentId) -> Result<Pending, ClientError>;

    /// Documents another process wrote since the last call, merged into
    /// memory where open; each should be offered to the relay.
    fn outside_writes(&self) -> Result<Vec<DocumentId>, ClientError>;

    /// Tells the device's subscribers what happened to `doc`.
    fn notify(&self, doc: DocumentId, kind: DocEventKind, heads: Vec<ChangeHash>);
}

/// [`SyncStore::with_doc`] for a step with a result: `None` when there is
/// no such document.
pub(crate) fn with_doc<R>(
    store: &dyn SyncStore,
    doc: DocumentId,
    load: Load,
    step: impl FnOnce(&mut OpenDoc) -> Result<R, ClientError>,
) -> Result<Option<R>, ClientError> {
    let mut step = Some(step);
    let mut result = None;
    store.with_doc(doc, load, &mut |open| {
        let step = step
            .take()
            .ok_or_else(|| ClientError::Task("a document step ran twice".to_owned()))?;
        result = Some(step(open)?);
        Ok(())
    })?;
    Ok(result)
}

impl SyncStore for DeviceStore {
    fn documents(&self) -> Result<Vec<DocumentId>, ClientError> {
        let mut docs = self.list()?;
        for doc in self.wanted()?.into_iter().chain(self.open_with_data()) {
            if !docs.contains(&doc) {
                docs.push(doc);
            }
        }
        Ok(docs)
    }

    fn with_doc(
        &self,
        doc: DocumentId,
        load: Load,
        step: &mut dyn FnMut(&mut OpenDoc) -> Result<(), ClientError>,
    ) -> Result<bool, ClientError> {
        Ok(DeviceStore::with_doc(self, doc, load, step)?.is_some())
    }

    fn for_each_open(&self, step: &mut dyn FnMut(DocumentId, &mut OpenDoc)) {
        DeviceStore::for_each_open(self, step);
    }

    fn save_changes(
        &self,
        doc: DocumentId,
        open: &OpenDoc,
        changes: &[u8],
    ) -> Result<(), ClientError> {
        DeviceStore::save_changes(self, doc, open, changes)?;
        if let Err(e) = self.unwant(doc) {
            tracing::warn!(%doc, error = %e, "cannot update the wanted list");
        }
        Ok(())
    }

    fn save_confirmed(&self, doc: DocumentId, heads: &[ChangeHash]) -> Result<(), ClientError> {
        DeviceStore::save_confirmed(self, doc, heads)
    }

    fn mark_read_only(&self, doc: DocumentId) -> Result<(), ClientError> {
        DeviceStore::mark_read_only(self, doc)
    }

    fn pending(&self, doc: DocumentId) -> Result<Pending, ClientError> {
        DeviceStore::pending(self, doc)
    }

    fn outside_writes(&self) -> Result<Vec<DocumentId>, ClientError> {
        self.take_outside_writes()
    }

    fn notify(&self, doc: DocumentId, kind: DocEventKind, heads: Vec<ChangeHash>) {
        self.emit(doc, kind, heads);
    }
}

impl Client {
    /// A sync session over this device's documents: it sees them only
    /// through [`SyncStore`].
    pub(crate) fn session(&self, scope: Scope) -> Session {
        Session::new(
            self.inner.store.clone(),
            self.peer_id().clone(),
            self.storage_id().to_owned(),
            scope,
        )
    }
}
