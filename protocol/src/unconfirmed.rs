//! The rule for "saved on the relay", written once for every device.
//!
//! The relay stores changes before it advertises heads that include them, so
//! a change is safe there exactly when the heads the relay confirmed cover
//! it. What a device still holds alone is therefore its own changes outside
//! the history of those heads. The `linli` CLI (`linli status`) and the
//! browser app both count with [`unconfirmed`], so their words mean the same.

use automerge::{ActorId, Automerge, ChangeHash};

/// This device's changes to one document that the relay has not confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Unconfirmed {
    /// How many changes.
    pub changes: usize,
    /// The oldest one's automerge timestamp (seconds since the epoch by the
    /// device's clock, as committed), if any.
    pub oldest_secs: Option<i64>,
}

/// Counts the changes in `doc` made by an actor `is_ours` accepts that are
/// not in the history of `confirmed`. Hashes `doc` does not know are ignored:
/// a confirmation is only trusted for changes this document can check.
pub fn unconfirmed(
    doc: &Automerge,
    confirmed: &[ChangeHash],
    is_ours: impl Fn(&ActorId) -> bool,
) -> Unconfirmed {
    let known: Vec<ChangeHash> = confirmed
        .iter()
        .filter(|h| doc.get_change_meta_by_hash(h).is_some())
        .copied()
        .collect();
    let mut out = Unconfirmed::default();
    for meta in doc.get_changes_meta(&known) {
        if is_ours(&meta.actor) {
            out.changes += 1;
            out.oldest_secs = Some(
                out.oldest_secs
                    .map_or(meta.timestamp, |t| t.min(meta.timestamp)),
            );
        }
    }
    out
}
