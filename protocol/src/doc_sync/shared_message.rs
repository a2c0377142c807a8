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
use std::hash::BuildHasher;

use automerge::Automerge;
use automerge::sync::{self, SyncDoc};

/// One pass over a document's peers: which peers share a sync state, and
/// what was generated for each such group. Valid only while the document
/// and the peers' states do not change other than through [`Self::generate`].
pub(super) struct SharedMessages {
    /// For each peer, in the order given, the first peer whose state
    /// equals its own (itself when none before it does).
    leader: Vec<usize>,
    /// Whether some later peer shares this peer's state.
    followed: Vec<bool>,
    /// Per group leader: the state after generating and the message, once
    /// a member of the group generated.
    done: Vec<Option<(sync::State, Option<Vec<u8>>)>>,
}

impl SharedMessages {
    /// Groups the peers by equal state. The states are compared, not
    /// copied: a peer in the middle of a big first sync has a large
    /// `sent_hashes`, and copying every peer's state on every pass would
    /// cost as much memory again as they hold.
    pub(super) fn group<'a>(states: impl Iterator<Item = &'a sync::State>) -> Self {
        let states: Vec<&sync::State> = states.collect();
        let hasher = std::collections::hash_map::RandomState::new();
        let mut by_hash: HashMap<u64, Vec<usize>> = HashMap::new();
        let mut leader = Vec::with_capacity(states.len());
        let mut followed = vec![false; states.len()];
        for (i, state) in states.iter().enumerate() {
            let same = by_hash.entry(hasher.hash_one(state)).or_default();
            match same.iter().copied().find(|&j| states[j] == *state) {
                Some(j) => {
                    leader.push(j);
                    followed[j] = true;
                }
                None => {
                    same.push(i);
                    leader.push(i);
                }
            }
        }
        let done = vec![None; states.len()];
        Self {
            leader,
            followed,
            done,
        }
    }

    /// The encoded sync message for peer `i` (of the order given to
    /// [`Self::group`]), advancing its `state` as generating would; reuses
    /// what was generated for an earlier peer of its group.
    pub(super) fn generate(
        &mut self,
        i: usize,
        doc: &Automerge,
        state: &mut sync::State,
    ) -> Option<Vec<u8>> {
        let Some(&leader) = self.leader.get(i) else {
            return generate_alone(doc, state);
        };
        if let Some((after, data)) = &self.done[leader] {
            state.clone_from(after);
            return data.clone();
        }
        let data = generate_alone(doc, state);
        if self.followed[leader] {
            self.done[leader] = Some((state.clone(), data.clone()));
        }
        data
    }
}

/// The encoded sync message for a peer in `state`, generated for it alone.
pub(super) fn generate_alone(doc: &Automerge, state: &mut sync::State) -> Option<Vec<u8>> {
    doc.generate_sync_message(state).map(|m| m.encode())
}

#[cfg(test)]
mod tests;
