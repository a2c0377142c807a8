//! The sync session for one document with any number of peers, sans I/O.
//!
//! The relay runs one [`DocSync`] per loaded document with every peer that
//! asked for it attached; the client runs one per document with the relay
//! attached. Both drive it the same way:
//!
//! 1. [`DocSync::attach`] a peer when it starts syncing the document (a peer
//!    that reconnects is attached again, which forgets everything the old
//!    connection may or may not have delivered);
//! 2. feed each `request`/`sync` it sends to [`DocSync::receive`]; persist
//!    [`Received::new_changes`] durably;
//! 3. only then call [`DocSync::outgoing`] and send the messages it returns.
//!
//! Step 3 after step 2 is what makes "saved" mean something: no message that
//! advertises heads including a change leaves before that change is stored.

use std::collections::BTreeMap;

use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, ChangeHash, ReadDoc};

use crate::{DocumentId, Message, PeerId, SyncData};

mod shared_message;
mod whole_doc;

use shared_message::SharedMessages;
use whole_doc::Kept;
pub use whole_doc::MIN_KEPT_BYTES;

/// Which message carried the sync data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncKind {
    /// `request`: the sender has nothing of the document yet.
    Request,
    /// `sync`: the sender has (some of) the document.
    Sync,
}

/// What a peer may do with this document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Receive the document and contribute changes.
    ReadWrite,
    /// Receive the document; its changes are never applied.
    ReadOnly,
}

/// Why a peer's sync data was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    #[error("document {doc}: peer {peer} is not attached to it")]
    NotAttached { doc: DocumentId, peer: PeerId },
    #[error("document {doc}: data from peer {peer} is not an automerge sync message: {reason}")]
    BadSyncMessage {
        doc: DocumentId,
        peer: PeerId,
        reason: String,
    },
    #[error("document {doc}: changes from peer {peer} could not be applied: {reason}")]
    BadChanges {
        doc: DocumentId,
        peer: PeerId,
        reason: String,
    },
}

/// The outcome of [`DocSync::receive`].
#[derive(Debug, Default)]
pub struct Received {
    /// The changes this message added to the document, as one chunk for
    /// `load_incremental`; empty when nothing was added. Persist before
    /// calling [`DocSync::outgoing`].
    pub new_changes: Vec<u8>,
    /// The hashes of the changes in `new_changes`.
    pub new_change_hashes: Vec<ChangeHash>,
    /// The peer is read-only and sent changes, which were not applied.
    pub refused_changes: bool,
    /// `new_changes` encode the whole document (it was empty before and
    /// the message brought all of it): a relay may keep them to answer
    /// peers that hold nothing ([`DocSync::offer_whole`]).
    pub whole_document: bool,
}

#[derive(Debug)]
struct PeerSync {
    state: sync::State,
    /// It sent `request` with no heads: it wants the document from us.
    wants: bool,
    /// We told it `doc-unavailable` (once is enough).
    told_unavailable: bool,
    /// It told us `doc-unavailable`.
    lacks: bool,
}

/// One document and the sync state of every peer attached to it.
#[derive(Debug)]
pub struct DocSync {
    id: DocumentId,
    local: PeerId,
    doc: Automerge,
    peers: BTreeMap<PeerId, PeerSync>,
    request_when_empty: bool,
    /// The whole document's bytes, kept for peers that hold nothing.
    kept: Kept,
}

impl DocSync {
    /// A session for `doc`, speaking as `local`. A relay answers requests for
    /// an empty document with `doc-unavailable`.
    pub fn new(id: DocumentId, local: PeerId, doc: Automerge) -> Self {
        Self {
            id,
            local,
            doc,
            peers: BTreeMap::new(),
            request_when_empty: false,
            kept: Kept::default(),
        }
    }

    /// A session that, while the document is empty here, sends `request` to
    /// its peers to fetch it (what a client does for a document it was told
    /// about but has not seen).
    pub fn requesting(mut self) -> Self {
        self.request_when_empty = true;
        self
    }

    /// From now on, while the document is empty here, ask peers for it
    /// with `request` (as [`Self::requesting`]): what a relay does for a
    /// document it fetches from its upstream hub.
    pub fn request_when_empty(&mut self) {
        self.request_when_empty = true;
    }

    pub fn document_id(&self) -> DocumentId {
        self.id
    }

    pub fn doc(&self) -> &Automerge {
        &self.doc
    }

    /// The document, for local edits. After editing, persist
    /// `doc.save_after(&heads_before)` and then call [`Self::outgoing`].
    pub fn doc_mut(&mut self) -> &mut Automerge {
        &mut self.doc
    }

    pub fn heads(&self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Hands over bytes that load into exactly the document as it is now
    /// (its stored snapshot when that is all that is stored, or a fresh
    /// `save()`): a peer that holds nothing is then answered with them
    /// instead of a new save. Kept only for a large document (at least
    /// [`MIN_KEPT_BYTES`]) and only until the document changes.
    pub fn offer_whole(&mut self, bytes: Vec<u8>) {
        self.kept.offer(&self.doc, bytes);
    }

    /// The bytes kept to answer peers that hold nothing (0 when none).
    pub fn kept_bytes(&self) -> usize {
        self.kept.held_bytes()
    }

    /// True while the document has no changes at all.
    pub fn is_empty(&self) -> bool {
        self.doc.get_heads().is_empty()
    }

    /// Starts (or restarts, from nothing) syncing with `peer`.
    pub fn attach(&mut self, peer: PeerId, access: Access) {
        let state = match access {
            Access::ReadWrite => sync::State::new(),
            Access::ReadOnly => sync::State::new_read_only(),
        };
        self.peers.insert(
            peer,
            PeerSync {
                state,
                wants: false,
                told_unavailable: false,
                lacks: false,
            },
        );
    }

    /// Stops syncing with `peer`; returns whether it was attached.
    pub fn detach(&mut self, peer: &PeerId) -> bool {
        self.peers.remove(peer).is_some()
    }

    pub fn is_attached(&self, peer: &PeerId) -> bool {
        self.peers.contains_key(peer)
    }

    pub fn peer_count(&self) -> usize {
        self.peers.len()
    }

    /// Applies a `request` or `sync` from an attached peer.
    pub fn receive(
        &mut self,
        from: &PeerId,
        kind: SyncKind,
        data: &[u8],
    ) -> Result<Received, SyncError> {
        let message = sync::Message::decode(data)
            .map_err(|e| e.to_string())
            .and_then(|m| crate::sync_guard::check(&m).map(|()| m))
            .map_err(|reason| SyncError::BadSyncMessage {
                doc: self.id,
                peer: from.clone(),
                reason,
            })?;
        let Some(peer) = self.peers.get_mut(from) else {
            return Err(SyncError::NotAttached {
                doc: self.id,
                peer: from.clone(),
            });
        };
        peer.wants = kind == SyncKind::Request && message.heads.is_empty();
        peer.lacks = false;
        let refused_changes = peer.state.read_only && !message.changes.is_empty();
        let before = self.doc.get_heads();
        // Into an empty document, what the message carries is the whole of
        // what it adds (a v2 first answer is a save): those bytes are what
        // to persist, without encoding the document again.
        let carried: Option<Vec<u8>> =
            (before.is_empty() && !message.changes.is_empty() && !refused_changes)
                .then(|| message.changes.iter().flatten().copied().collect());
        self.doc
            .receive_sync_message(&mut peer.state, message)
            .map_err(|e| SyncError::BadChanges {
                doc: self.id,
                peer: from.clone(),
                reason: e.to_string(),
            })?;
        let after = self.doc.get_heads();
        let (new_changes, new_change_hashes, whole_document) = if after == before {
            (Vec::new(), Vec::new(), false)
        } else {
            self.kept.forget_if_stale(&self.doc);
            let hashes = self
                .doc
                .get_changes_meta(&before)
                .iter()
                .map(|c| c.hash)
                .collect();
            // Only when every carried change was applied: changes still
            // waiting for dependencies are not part of the document yet.
            match carried.filter(|_| self.doc.get_missing_deps(&[]).is_empty()) {
                Some(bytes) => (bytes, hashes, true),
                None => (self.doc.save_after(&before), hashes, false),
            }
        };
        Ok(Received {
            new_changes,
            new_change_hashes,
            refused_changes,
            whole_document,
        })
    }

    /// Records that `from` answered `doc-unavailable`: it has nothing for us.
    pub fn receive_unavailable(&mut self, from: &PeerId) {
        if let Some(peer) = self.peers.get_mut(from) {
            peer.lacks = true;
        }
    }

    /// Whether `peer` said (with automerge's read-only flag) that it will not
    /// take our changes: for a client, the relay's word that this device may
    /// only read the document.
    pub fn peer_read_only(&self, peer: &PeerId) -> bool {
        self.peers.get(peer).is_some_and(|p| p.state.peer_read_only)
    }

    /// Whether `peer` told us it does not have the document.
    pub fn peer_lacks(&self, peer: &PeerId) -> bool {
        self.peers.get(peer).is_some_and(|p| p.lacks)
    }

    /// The messages to send now, one per peer at most. Call after the new
    /// changes from [`Self::receive`] or a local edit are durably stored.
    ///
    /// Peers in the same sync state (most readers of a document, in steady
    /// state) share one generated message: see `shared_message.rs`.
    pub fn outgoing(&mut self) -> Vec<Message> {
        let empty = self.is_empty();
        // A local edit may have moved the heads past what was kept.
        self.kept.forget_if_stale(&self.doc);
        let mut out = Vec::new();
        let mut shared = SharedMessages::group(self.peers.values().map(|p| &p.state));
        for (i, (peer_id, peer)) in self.peers.iter_mut().enumerate() {
            out.extend(message_for(
                self.id,
                &self.local,
                empty,
                self.request_when_empty,
                peer_id,
                peer,
                |state| {
                    generate(&self.doc, &mut self.kept, state, |state| {
                        shared.generate(i, &self.doc, state)
                    })
                },
            ));
        }
        out
    }

    /// The message to send `peer` now, if any. After a message from `peer`
    /// that added nothing to the document, only `peer` can need an answer:
    /// this is [`Self::outgoing`] without asking every other peer (which,
    /// with many peers on one document, makes each message cost as much as
    /// there are peers).
    pub fn outgoing_to(&mut self, peer: &PeerId) -> Option<Message> {
        let empty = self.is_empty();
        let state = self.peers.get_mut(peer)?;
        message_for(
            self.id,
            &self.local,
            empty,
            self.request_when_empty,
            peer,
            state,
            |state| {
                generate(&self.doc, &mut self.kept, state, |state| {
                    shared_message::generate_alone(&self.doc, state)
                })
            },
        )
    }

    /// Whether `peer`'s last message showed exactly our heads: nothing left
    /// to exchange in either direction.
    pub fn in_sync_with(&self, peer: &PeerId) -> bool {
        let Some(p) = self.peers.get(peer) else {
            return false;
        };
        let Some(theirs) = &p.state.their_heads else {
            return false;
        };
        let mut theirs = theirs.clone();
        theirs.sort();
        let mut ours = self.heads();
        ours.sort();
        theirs == ours
    }

    /// The heads `peer` has confirmed holding that are also known here:
    /// every change in their history is safe on that peer.
    pub fn confirmed_heads(&self, peer: &PeerId) -> Vec<ChangeHash> {
        let Some(p) = self.peers.get(peer) else {
            return Vec::new();
        };
        let mut confirmed: Vec<ChangeHash> = p
            .state
            .their_heads
            .iter()
            .flatten()
            .chain(p.state.shared_heads.iter())
            .filter(|h| self.doc.get_change_meta_by_hash(h).is_some())
            .copied()
            .collect();
        confirmed.sort();
        confirmed.dedup();
        confirmed
    }
}

/// The encoded sync message for a peer in `state`, advancing it: a peer
/// that holds nothing gets the whole document from bytes at hand
/// (`whole_doc.rs`); any other, what `otherwise` generates.
fn generate(
    doc: &Automerge,
    kept: &mut Kept,
    state: &mut sync::State,
    otherwise: impl FnOnce(&mut sync::State) -> Option<Vec<u8>>,
) -> Option<Vec<u8>> {
    match kept.message_for_empty_peer(doc, state) {
        Some(message) => message.map(|m| m.encode()),
        None => otherwise(state),
    }
}

/// What `peer_id` should be sent now: sync data, a request, a
/// doc-unavailable (once) or nothing. `generate` makes the encoded
/// automerge sync message for the peer's state, advancing it.
fn message_for(
    id: DocumentId,
    local: &PeerId,
    empty: bool,
    request_when_empty: bool,
    peer_id: &PeerId,
    peer: &mut PeerSync,
    generate: impl FnOnce(&mut sync::State) -> Option<Vec<u8>>,
) -> Option<Message> {
    let kind = if !empty {
        SyncKind::Sync
    } else if peer.wants {
        if peer.told_unavailable {
            return None;
        }
        peer.told_unavailable = true;
        return Some(Message::DocUnavailable {
            sender_id: local.clone(),
            target_id: peer_id.clone(),
            document_id: id,
        });
    } else if peer
        .state
        .their_heads
        .as_ref()
        .is_some_and(|h| !h.is_empty())
    {
        // They have it and we do not: ask for it.
        SyncKind::Sync
    } else if request_when_empty && !peer.lacks {
        SyncKind::Request
    } else {
        return None;
    };
    let data = SyncData {
        sender_id: local.clone(),
        target_id: peer_id.clone(),
        document_id: id,
        data: generate(&mut peer.state)?,
    };
    Some(match kind {
        SyncKind::Request => Message::Request(data),
        SyncKind::Sync => Message::Sync(data),
    })
}

#[cfg(test)]
mod tests;
