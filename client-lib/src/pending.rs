//! What has not reached the relay yet: [`Pending`] per document and a
//! [`Summary`] across all of them.
//!
//! A change is safe on the relay once the relay's heads cover it (the relay
//! stores changes before it advertises heads that include them). The client
//! keeps the heads the relay last confirmed in the store, so any process,
//! e.g. `linli status` while `linli sync` runs elsewhere, can count what is
//! still pending: this device's changes not in the history of those heads.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use automerge::{ActorId, Automerge, ChangeHash};
use linli_protocol::DocumentId;

/// This device's changes to one document that the relay has not confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pending {
    /// How many changes.
    pub changes: usize,
    /// When the oldest of them was made (by this device's clock).
    pub oldest: Option<SystemTime>,
}

impl Pending {
    pub fn is_empty(&self) -> bool {
        self.changes == 0
    }

    /// How long ago the oldest pending change was made, as of `now`.
    pub fn oldest_age(&self, now: SystemTime) -> Option<Duration> {
        self.oldest
            .map(|t| now.duration_since(t).unwrap_or(Duration::ZERO))
    }

    fn add(&mut self, other: Pending) {
        self.changes += other.changes;
        self.oldest = match (self.oldest, other.oldest) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

/// The state of the whole local store, for `linli status`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// The configured relay URL, if any.
    pub relay: Option<String>,
    /// Documents with data on this device.
    pub documents: usize,
    /// Documents asked for with [`Client::want`](crate::Client::want) that
    /// have not arrived yet.
    pub wanted: Vec<DocumentId>,
    /// Pending changes over all documents.
    pub pending: Pending,
    /// Every document with pending changes, in id order.
    pub pending_documents: Vec<(DocumentId, Pending)>,
}

impl Summary {
    pub(crate) fn add_document(&mut self, doc: DocumentId, pending: Pending) {
        self.documents += 1;
        if !pending.is_empty() {
            self.pending.add(pending);
            self.pending_documents.push((doc, pending));
        }
    }
}

/// Counts the changes in `doc` made by an actor `is_ours` accepts that are
/// not in the history of `confirmed` (hashes `doc` does not know are ignored).
pub(crate) fn count(
    doc: &Automerge,
    confirmed: &[ChangeHash],
    is_ours: impl Fn(&ActorId) -> bool,
) -> Pending {
    let counted = linli_protocol::unconfirmed(doc, confirmed, is_ours);
    Pending {
        changes: counted.changes,
        oldest: counted.oldest_secs.map(from_change_time),
    }
}

/// A change timestamp (seconds since the epoch, as automerge documents it)
/// as a `SystemTime`.
fn from_change_time(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::ROOT;
    use automerge::transaction::{CommitOptions, Transactable};

    fn edit(doc: &mut Automerge, key: &str, time: i64) {
        let mut tx = doc.transaction();
        tx.put(ROOT, key, 1).unwrap();
        tx.commit_with(CommitOptions::default().with_time(time));
    }

    #[test]
    fn counts_only_our_unconfirmed_changes_with_the_oldest_time() {
        let ours = ActorId::from(vec![1u8; 16]);
        let theirs = ActorId::from(vec![2u8; 16]);
        let mut other = Automerge::new().with_actor(theirs.clone());
        edit(&mut other, "a", 100);
        let mut doc = other.fork().with_actor(ours.clone());
        edit(&mut doc, "b", 200);
        edit(&mut doc, "c", 300);
        let is_ours = |a: &ActorId| a == &ours;

        let none = count(&doc, &[], is_ours);
        assert_eq!(none.changes, 2);
        assert_eq!(none.oldest, Some(from_change_time(200)));

        let all = count(&doc, &doc.get_heads(), is_ours);
        assert_eq!(all, Pending::default());

        // Unknown hashes in the confirmed set are ignored, not trusted.
        let bogus = count(&doc, &[ChangeHash([9; 32])], is_ours);
        assert_eq!(bogus.changes, 2);
    }
}
