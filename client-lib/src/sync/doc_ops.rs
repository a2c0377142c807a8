//! What a relay connection does to the client's documents: attach the relay,
//! apply what it sends (storing it before answering), record what it has
//! confirmed, and produce the messages to send back.
//!
//! These are blocking calls (SQLite); the connection driver runs them on a
//! blocking thread.

use automerge::ChangeHash;
use linli_protocol::{Access, DocumentId, Message, PeerId, SyncData, SyncKind};

use crate::documents::compact;
use crate::events::DocEventKind;
use crate::state::{READ_ONLY_KEY, RELAY_HEADS_KEY, State};
use crate::{Client, ClientError, heads};

/// The result of applying one `sync`/`request` from the relay.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    /// Messages to send back.
    pub outgoing: Vec<Message>,
    /// Our heads after applying it (sorted).
    pub local_heads: Vec<ChangeHash>,
    /// Whether it brought changes.
    pub updated: bool,
    /// The document could not be loaded (corrupt); the message was dropped.
    pub failed: bool,
}

impl Client {
    /// Every document a session should sync: stored ones plus wanted ones.
    pub(crate) fn sync_candidates(&self) -> Result<Vec<DocumentId>, ClientError> {
        let state = self.lock();
        let mut docs = state.store.list()?;
        for wanted in state.wanted()? {
            if !docs.contains(&wanted) {
                docs.push(wanted);
            }
        }
        for (id, loaded) in &state.docs {
            if !loaded.sync.is_empty() && !docs.contains(id) {
                docs.push(*id);
            }
        }
        Ok(docs)
    }

    /// Attaches `relay` afresh to `doc` (loading it, or starting it empty to
    /// fetch it) and returns what to send; `None` when the document cannot
    /// be loaded (logged: other documents still sync).
    pub(crate) fn start_doc(&self, relay: &PeerId, doc: DocumentId) -> Option<Vec<Message>> {
        let mut state = self.lock();
        match state.loaded_or_empty(doc) {
            Ok(loaded) => {
                loaded.sync.attach(relay.clone(), Access::ReadWrite);
                Some(loaded.sync.outgoing())
            }
            Err(e) => {
                tracing::error!(%doc, error = %e, "cannot load document; it is not synced");
                None
            }
        }
    }

    /// What to send for `doc` after a local change (attaching `relay` if
    /// this document was not part of the session yet).
    pub(crate) fn outgoing_for(&self, relay: &PeerId, doc: DocumentId) -> Vec<Message> {
        let mut state = self.lock();
        match state.loaded(doc) {
            Ok(Some(loaded)) => {
                if !loaded.sync.is_attached(relay) {
                    loaded.sync.attach(relay.clone(), Access::ReadWrite);
                }
                loaded.sync.outgoing()
            }
            Ok(None) => Vec::new(),
            Err(e) => {
                tracing::error!(%doc, error = %e, "cannot load document; it is not synced");
                Vec::new()
            }
        }
    }

    /// Applies a `sync` or `request` from the relay: stores new changes,
    /// stores the relay's confirmed heads, tells subscribers, and only then
    /// produces the answer.
    ///
    /// A failed write is returned (the connection should end: the document
    /// is dropped from memory so nothing unsaved is advertised). A document
    /// that cannot be loaded, and sync data the session refuses, are logged
    /// and the message dropped.
    pub(crate) fn apply_from_relay(
        &self,
        relay: &PeerId,
        kind: SyncKind,
        data: &SyncData,
    ) -> Result<Applied, ClientError> {
        let doc = data.document_id;
        let mut guard = self.lock();
        let state = &mut *guard;
        let loaded = match state.loaded_or_empty(doc) {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(%doc, error = %e, "cannot load document; dropping its sync message");
                return Ok(Applied {
                    failed: true,
                    ..Applied::default()
                });
            }
        };
        if !loaded.sync.is_attached(relay) {
            loaded.sync.attach(relay.clone(), Access::ReadWrite);
        }
        let received = match loaded.sync.receive(relay, kind, &data.data) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(%doc, error = %e, "ignoring sync data from the relay");
                return Ok(Applied {
                    local_heads: sorted(loaded.sync.heads()),
                    ..Applied::default()
                });
            }
        };
        let updated = !received.new_changes.is_empty();
        if updated {
            let State { store, docs, .. } = &mut *state;
            if let Err(e) = store.append(&doc, &received.new_changes) {
                docs.remove(&doc);
                return Err(e.into());
            }
            if let Some(l) = docs.get(&doc) {
                compact(store, &doc, l.sync.doc());
            }
            if let Err(e) = state.unwant(&doc) {
                tracing::warn!(%doc, error = %e, "cannot update the wanted list");
            }
        }
        if loaded_read_only(state, relay, doc) {
            let already = state.store.doc_meta_get(&doc, READ_ONLY_KEY).ok().flatten();
            if already.is_none()
                && let Err(e) = state.store.doc_meta_set(&doc, READ_ONLY_KEY, b"1")
            {
                tracing::warn!(%doc, error = %e, "cannot record that the relay made this document read-only");
            }
        }
        let confirmed_changed = record_confirmed(state, relay, doc);
        let Some(loaded) = state.docs.get_mut(&doc) else {
            return Err(ClientError::Task(
                "document vanished from memory".to_owned(),
            ));
        };
        let local_heads = sorted(loaded.sync.heads());
        let outgoing = loaded.sync.outgoing();
        if updated {
            tracing::debug!(%doc, "changes from the relay stored");
            self.inner
                .events
                .emit(doc, DocEventKind::Remote, local_heads.clone());
        }
        if let Some(confirmed) = confirmed_changed {
            self.inner
                .events
                .emit(doc, DocEventKind::Confirmed, confirmed);
        }
        Ok(Applied {
            outgoing,
            local_heads,
            updated,
            failed: false,
        })
    }

    /// Records the relay's `doc-unavailable` for `doc` and tells subscribers.
    pub(crate) fn relay_lacks(&self, relay: &PeerId, doc: DocumentId) {
        let heads = {
            let mut state = self.lock();
            match state.docs.get_mut(&doc) {
                Some(loaded) => {
                    loaded.sync.receive_unavailable(relay);
                    loaded.sync.heads()
                }
                None => Vec::new(),
            }
        };
        tracing::info!(%doc, "the relay says the document is unavailable");
        self.inner
            .events
            .emit(doc, DocEventKind::Unavailable, heads);
    }

    /// Detaches `relay` from every document (the connection is gone; the
    /// next one starts from scratch).
    pub(crate) fn detach_relay(&self, relay: &PeerId) {
        let mut state = self.lock();
        for loaded in state.docs.values_mut() {
            loaded.sync.detach(relay);
        }
    }

    /// `doc`'s current heads, sorted (empty when it is not here).
    pub(crate) fn sorted_heads(&self, doc: DocumentId) -> Vec<ChangeHash> {
        let state = self.lock();
        state
            .docs
            .get(&doc)
            .map(|l| sorted(l.sync.heads()))
            .unwrap_or_default()
    }
}

/// Whether the relay told us (automerge's read-only flag) that this device
/// may only read `doc`.
fn loaded_read_only(state: &State, relay: &PeerId, doc: DocumentId) -> bool {
    state
        .docs
        .get(&doc)
        .is_some_and(|l| l.sync.peer_read_only(relay))
}

/// Stores the heads the relay has confirmed for `doc` when they changed;
/// returns them if so. A failed write is logged and retried next time (the
/// changes themselves are safe; only the pending count lags).
fn record_confirmed(state: &mut State, relay: &PeerId, doc: DocumentId) -> Option<Vec<ChangeHash>> {
    let State { store, docs, .. } = state;
    let loaded = docs.get_mut(&doc)?;
    let confirmed = sorted(loaded.sync.confirmed_heads(relay));
    if confirmed.is_empty() || confirmed == loaded.confirmed {
        return None;
    }
    match store.doc_meta_set(&doc, RELAY_HEADS_KEY, &heads::encode(&confirmed)) {
        Ok(()) => {
            loaded.confirmed = confirmed.clone();
            Some(confirmed)
        }
        Err(e) => {
            tracing::warn!(%doc, error = %e, "cannot store the relay's confirmed heads");
            None
        }
    }
}

pub(crate) fn sorted(mut heads: Vec<ChangeHash>) -> Vec<ChangeHash> {
    heads.sort();
    heads
}

impl Client {
    /// Takes in what other processes wrote to this device's store since the
    /// last look (the `linli` CLI editing while an app's sync loop runs):
    /// documents in memory get the stored changes merged in, and documents
    /// created elsewhere are reported too, so the session can offer them.
    /// Cheap when nobody else wrote (one SQLite pragma).
    pub(crate) fn absorb_outside_writes(&self) -> Result<Vec<DocumentId>, ClientError> {
        let mut touched = Vec::new();
        let mut events = Vec::new();
        {
            let mut state = self.lock();
            let version = state.store.data_version()?;
            if version == state.outside_version {
                return Ok(touched);
            }
            state.outside_version = version;
            let State { store, docs, .. } = &mut *state;
            for doc in store.list()? {
                let Some(loaded) = docs.get_mut(&doc) else {
                    touched.push(doc);
                    continue;
                };
                let mut stored = match store.load(&doc) {
                    Ok(Some(stored)) => stored,
                    Ok(None) => continue,
                    Err(e) => {
                        tracing::error!(%doc, error = %e, "cannot load what another process stored");
                        continue;
                    }
                };
                let am = loaded.sync.doc_mut();
                let before = am.get_heads();
                if let Err(e) = am.merge(&mut stored) {
                    tracing::error!(%doc, error = %e, "cannot merge what another process stored");
                    continue;
                }
                let after = am.get_heads();
                if after != before {
                    touched.push(doc);
                    events.push((doc, after));
                }
            }
        }
        for (doc, heads) in events {
            self.inner.events.emit(doc, DocEventKind::Local, heads);
        }
        Ok(touched)
    }
}
