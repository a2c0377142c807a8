//! One sync message for every peer in the same sync state.
//!
//! When a writer's edit reaches a document with many readers, the relay
//! owes each reader a sync message, and in steady state the readers are in
//! the same sync state: they all acknowledged the same heads the same way.
//! automerge's `generate_sync_message` is a deterministic function of the
//! document and the peer's [`sync::State`]: it reads nothing else and
//! changes nothing but that state. Peers whose states are equal therefore
//! get byte-identical messages and end in equal states, so generating once
//! and giving every such peer the message and a copy of the state after is
//! exactly what generating for each of them would do; the tests check that
//! against generating for each peer alone.
//!
//! Without this, one edit costs the relay one generation (a bloom filter,
//! a walk of the change graph and the changes' encoding) per reader, one
//! after the other on the document's task, and the last reader waits for
//! all of them.

use std::collections::HashMap;

use automerge::Automerge;
use automerge::sync::{self, SyncDoc};

/// What was generated for each distinct sync state during one pass over a
/// document's peers. Valid only while the document does not change.
#[derive(Default)]
pub(super) struct SharedMessages {
    /// Sync state before generating → (state after, encoded message).
    by_state: HashMap<sync::State, (sync::State, Option<Vec<u8>>)>,
}

impl SharedMessages {
    /// The encoded sync message for a peer in `state` (advanced as
    /// generating it would), reusing an earlier peer's when its state was
    /// the same.
    pub(super) fn generate(&mut self, doc: &Automerge, state: &mut sync::State) -> Option<Vec<u8>> {
        if let Some((after, data)) = self.by_state.get(state) {
            state.clone_from(after);
            return data.clone();
        }
        let before = state.clone();
        let data = doc.generate_sync_message(state).map(|m| m.encode());
        self.by_state.insert(before, (state.clone(), data.clone()));
        data
    }
}

/// The encoded sync message for a peer in `state`, generated for it alone.
pub(super) fn generate_alone(doc: &Automerge, state: &mut sync::State) -> Option<Vec<u8>> {
    doc.generate_sync_message(state).map(|m| m.encode())
}

#[cfg(test)]
mod tests;
