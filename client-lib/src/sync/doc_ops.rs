//! What a relay connection does to the device's documents: attach the
//! relay, apply what it sends (storing it before answering), record what it
//! has confirmed, and produce the messages to send back. Everything goes
//! through the session's [`SyncStore`].
//!
//! These are blocking calls (SQLite); the connection driver runs them on a
//! blocking thread.

use automerge::ChangeHash;
use linli_protocol::{Access, DocumentId, Message, PeerId, SyncData, SyncKind};

use super::store::{SyncStore, with_doc};
use crate::ClientError;
use crate::device_store::{Load, OpenDoc};
use crate::events::DocEventKind;

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

/// Attaches `relay` afresh to `doc` (loading it, or starting it empty to
/// fetch it) and returns what to send; `None` when the document cannot be
/// loaded (logged: other documents still sync).
pub(crate) fn start_doc(
    store: &dyn SyncStore,
    relay: &PeerId,
    doc: DocumentId,
) -> Option<Vec<Message>> {
    let started = with_doc(store, doc, Load::OrEmpty, |open| {
        open.sync.attach(relay.clone(), Access::ReadWrite);
        Ok(open.sync.outgoing())
    });
    match started {
        Ok(out) => Some(out.unwrap_or_default()),
        Err(e) => {
            tracing::error!(%doc, error = %e, "cannot load document; it is not synced");
            None
        }
    }
}

/// What to send for `doc` after a local change (attaching `relay` if this
/// document was not part of the session yet).
pub(crate) fn outgoing_for(store: &dyn SyncStore, relay: &PeerId, doc: DocumentId) -> Vec<Message> {
    let out = with_doc(store, doc, Load::Stored, |open| {
        if !open.sync.is_attached(relay) {
            open.sync.attach(relay.clone(), Access::ReadWrite);
        }
        Ok(open.sync.outgoing())
    });
    match out {
        Ok(out) => out.unwrap_or_default(),
        Err(e) => {
            tracing::error!(%doc, error = %e, "cannot load document; it is not synced");
            Vec::new()
        }
    }
}

/// Applies a `sync` or `request` from the relay: stores new changes, stores
/// the relay's confirmed heads, tells subscribers, and only then produces
/// the answer.
///
/// A failed write is returned (the connection should end: the document is
/// dropped from memory so nothing unsaved is advertised). A document that
/// cannot be loaded, and sync data the session refuses, are logged and the
/// message dropped.
pub(crate) fn apply_from_relay(
    store: &dyn SyncStore,
    relay: &PeerId,
    kind: SyncKind,
    data: &SyncData,
) -> Result<Applied, ClientError> {
    let doc = data.document_id;
    let mut opened = false;
    let applied = with_doc(store, doc, Load::OrEmpty, |open| {
        opened = true;
        apply_to(store, open, relay, kind, data)
    });
    match applied {
        Ok(Some((applied, confirmed))) => {
            if applied.updated {
                tracing::debug!(%doc, "changes from the relay stored");
                store.notify(doc, DocEventKind::Remote, applied.local_heads.clone());
            }
            if let Some(confirmed) = confirmed {
                store.notify(doc, DocEventKind::Confirmed, confirmed);
            }
            Ok(applied)
        }
        Ok(None) => Err(ClientError::Task(
            "document vanished from memory".to_owned(),
        )),
        Err(e) if opened => Err(e),
        Err(e) => {
            tracing::error!(%doc, error = %e, "cannot load document; dropping its sync message");
            Ok(Applied {
                failed: true,
                ..Applied::default()
            })
        }
    }
}

/// [`apply_from_relay`] with the document held; also returns the newly
/// confirmed heads, if any.
fn apply_to(
    store: &dyn SyncStore,
    open: &mut OpenDoc,
    relay: &PeerId,
    kind: SyncKind,
    data: &SyncData,
) -> Result<(Applied, Option<Vec<ChangeHash>>), ClientError> {
    let doc = data.document_id;
    if !open.sync.is_attached(relay) {
        open.sync.attach(relay.clone(), Access::ReadWrite);
    }
    let received = match open.sync.receive(relay, kind, &data.data) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(%doc, error = %e, "ignoring sync data from the relay");
            let applied = Applied {
                local_heads: sorted(open.sync.heads()),
                ..Applied::default()
            };
            return Ok((applied, None));
        }
    };
    let updated = !received.new_changes.is_empty();
    if updated {
        store.save_changes(doc, open, &received.new_changes)?;
    }
    if open.sync.peer_read_only(relay)
        && let Err(e) = store.mark_read_only(doc)
    {
        tracing::warn!(%doc, error = %e, "cannot record that the relay made this document read-only");
    }
    let confirmed = record_confirmed(store, open, relay, doc);
    let applied = Applied {
        local_heads: sorted(open.sync.heads()),
        outgoing: open.sync.outgoing(),
        updated,
        failed: false,
    };
    Ok((applied, confirmed))
}

/// Records the relay's `doc-unavailable` for `doc` and tells subscribers.
pub(crate) fn relay_lacks(store: &dyn SyncStore, relay: &PeerId, doc: DocumentId) {
    let heads = with_doc(store, doc, Load::IfOpen, |open| {
        open.sync.receive_unavailable(relay);
        Ok(open.sync.heads())
    });
    tracing::info!(%doc, "the relay says the document is unavailable");
    store.notify(
        doc,
        DocEventKind::Unavailable,
        heads.ok().flatten().unwrap_or_default(),
    );
}

/// Detaches `relay` from every document (the connection is gone; the next
/// one starts from scratch).
pub(crate) fn detach_relay(store: &dyn SyncStore, relay: &PeerId) {
    store.for_each_open(&mut |_, open| {
        open.sync.detach(relay);
    });
}

/// `doc`'s current heads, sorted (empty when it is not open).
pub(crate) fn sorted_heads(store: &dyn SyncStore, doc: DocumentId) -> Vec<ChangeHash> {
    with_doc(store, doc, Load::IfOpen, |open| {
        Ok(sorted(open.sync.heads()))
    })
    .ok()
    .flatten()
    .unwrap_or_default()
}

/// Stores the heads the relay has confirmed for `doc` when they changed;
/// returns them if so. A failed write is logged and retried next time (the
/// changes themselves are safe; only the pending count lags).
fn record_confirmed(
    store: &dyn SyncStore,
    open: &mut OpenDoc,
    relay: &PeerId,
    doc: DocumentId,
) -> Option<Vec<ChangeHash>> {
    let confirmed = sorted(open.sync.confirmed_heads(relay));
    if confirmed.is_empty() || confirmed == open.confirmed {
        return None;
    }
    match store.save_confirmed(doc, &confirmed) {
        Ok(()) => {
            open.confirmed = confirmed.clone();
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
