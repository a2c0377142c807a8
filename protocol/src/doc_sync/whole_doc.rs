//! Answering a peer that holds nothing with bytes already at hand.
//!
//! For a peer that holds nothing of a document and speaks sync v2,
//! automerge's `generate_sync_message` puts the whole document in the
//! message, and builds it with `save()` every time: for a large document
//! that serialization is most of the relay's work for a fresh fetch. The
//! same answer can be made from any bytes that load into exactly the
//! document's changes: the stored snapshot when it covers the current
//! heads, or one `save()` kept for the next fresh peer.
//!
//! Memory is bounded: bytes are kept only for documents whose encoding is
//! at least [`MIN_KEPT_BYTES`] (smaller ones are cheap to save again), only
//! for the heads they were made at (dropped as soon as the document
//! changes), and only while the document stays loaded.

use automerge::sync::{self, Capability, SyncDoc};
use automerge::{Automerge, ChangeHash};

/// Documents whose whole encoding is smaller than this are saved afresh
/// for each fresh peer instead of being kept (a few tens of microseconds
/// of work, not worth a second copy in memory).
pub const MIN_KEPT_BYTES: usize = 64 * 1024;

/// The whole document's bytes at some heads, and the hashes of the changes
/// they hold (the peer's sync state records them as sent, as automerge
/// does when it sends a whole document).
#[derive(Debug)]
pub(super) struct WholeDoc {
    heads: Vec<ChangeHash>,
    bytes: Vec<u8>,
    hashes: Option<Vec<ChangeHash>>,
}

/// The kept encoding of one document, if any.
#[derive(Debug, Default)]
pub(super) struct Kept(Option<WholeDoc>);

impl Kept {
    /// Keeps `bytes`, which load into exactly `doc` as it is now, if they
    /// are large enough to be worth keeping.
    pub(super) fn offer(&mut self, doc: &Automerge, bytes: Vec<u8>) {
        self.0 = (bytes.len() >= MIN_KEPT_BYTES).then(|| WholeDoc {
            heads: sorted(doc.get_heads()),
            bytes,
            hashes: None,
        });
    }

    /// Drops what was kept unless it still matches `doc`'s heads.
    pub(super) fn forget_if_stale(&mut self, doc: &Automerge) {
        if self
            .0
            .as_ref()
            .is_some_and(|w| w.heads != sorted(doc.get_heads()))
        {
            self.0 = None;
        }
    }

    /// Bytes held for this document (for the relay's memory figures).
    pub(super) fn held_bytes(&self) -> usize {
        self.0.as_ref().map_or(0, |w| w.bytes.len())
    }

    /// The whole document's bytes and change hashes as `doc` is now:
    /// the kept ones when they match, else a fresh `save()` (kept if large).
    fn current(&mut self, doc: &Automerge) -> (&[u8], &[ChangeHash]) {
        self.forget_if_stale(doc);
        let whole = self.0.get_or_insert_with(|| WholeDoc {
            heads: sorted(doc.get_heads()),
            bytes: doc.save(),
            hashes: None,
        });
        let hashes = whole
            .hashes
            .get_or_insert_with(|| doc.get_changes_meta(&[]).iter().map(|c| c.hash).collect());
        (&whole.bytes, hashes)
    }

    /// Drops a fresh save that is too small to keep.
    fn trim(&mut self) {
        if self.held_bytes() < MIN_KEPT_BYTES {
            self.0 = None;
        }
    }

    /// The sync message for a peer that holds nothing, made from the kept
    /// bytes (or one save), with `state` updated exactly as automerge's
    /// `generate_sync_message` updates it when it sends the whole document.
    /// `None` when `state` is not that of such a peer: the caller then lets
    /// automerge answer.
    pub(super) fn message_for_empty_peer(
        &mut self,
        doc: &Automerge,
        state: &mut sync::State,
    ) -> Option<Option<sync::Message>> {
        if !holds_nothing(state) || doc.get_heads().is_empty() {
            return None;
        }
        // Without their `have`, automerge builds the message without any
        // changes (no save), but sets heads, need, have, flags and the
        // state's bookkeeping; the whole document is then put in.
        let their_have = state.their_have.take();
        let generated = doc.generate_sync_message(state);
        state.their_have = their_have;
        let Some(mut message) = generated else {
            return Some(None);
        };
        let (bytes, hashes) = self.current(doc);
        message.changes = vec![bytes.to_vec()].into();
        message.version = sync::MessageVersion::V2;
        state.sent_hashes.extend(hashes.iter().copied());
        self.trim();
        Some(Some(message))
    }
}

/// Whether automerge would answer `state`'s peer with the whole document:
/// it said it holds nothing (no heads, no earlier sync) and reads sync v2.
/// A read-only peer takes no changes, so it is left to automerge.
fn holds_nothing(state: &sync::State) -> bool {
    state.their_heads.as_ref().is_some_and(|h| h.is_empty())
        && state.their_need.is_some()
        && state
            .their_have
            .as_ref()
            .is_some_and(|have| have.iter().all(|h| h.last_sync.is_empty()))
        && state
            .their_capabilities
            .as_ref()
            .is_some_and(|c| c.contains(&Capability::MessageV2))
        && !state.peer_read_only
}

fn sorted(mut heads: Vec<ChangeHash>) -> Vec<ChangeHash> {
    heads.sort();
    heads
}
