//! The street summary: one per street, written by the street's relay from
//! the street's own documents, shared up to the district hub so the
//! district sees the street's figures without any resident's data. It
//! holds counts only: no names, no phones, no addresses, no household ids,
//! and only the key-group tags the caller names (free-text tags could hold
//! anything).
//!
//! ```text
//! { kind: "linli/street-summary", schema: 1, street: "…街道",
//!   notVisitedDays: int,
//!   communities: { <CommunityId>: { name, buildings: int, households: int,
//!                                   keyHouseholds: int, notVisited: int,
//!                                   groups: { <tag>: int } } },
//!   buildings:   { <BuildingId>:  { community: CommunityId, households: int,
//!                                   keyHouseholds: int, notVisited: int,
//!                                   groups: { <tag>: int } } },
//!   tasks:       { <CommunityId>: { <YYYY-MM>: { raised: int, open: int,
//!                                               done: int, cancelled: int } } } }
//! ```
//!
//! `tasks` counts each task in the month it was raised, by its status now.
//! [`compute`] makes one from records; [`write`] writes only what differs,
//! so a recomputation that finds nothing new makes no change.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ObjId, ROOT, ReadDoc};
use serde::{Deserialize, Serialize};

use crate::building::Building;
use crate::dates::{DAY_MS, format_date};
use crate::directory::Directory;
use crate::error::{ShapeError, WriteError};
use crate::fields::{self, At};
use crate::root::{self, DocKind};
use crate::task_board::TaskBoard;
use crate::task_fold::TaskStatus;

/// Counts for a building or a community.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// For a community: its buildings with a document on the street.
    pub buildings: u64,
    pub households: u64,
    /// Households in at least one key group.
    pub key_households: u64,
    /// Of those, the ones not visited in `not_visited_days`.
    pub not_visited: u64,
    /// Households per key group.
    pub groups: BTreeMap<String, u64>,
}

/// A community's tasks raised in one month, by status now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Month {
    pub raised: u64,
    pub open: u64,
    pub done: u64,
    pub cancelled: u64,
}

/// A whole summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetSummary {
    pub street: String,
    pub not_visited_days: u32,
    /// By community id: its name and counts.
    pub communities: BTreeMap<String, (String, Counts)>,
    /// By building id: its community id and counts.
    pub buildings: BTreeMap<String, (String, Counts)>,
    /// Community id → month (YYYY-MM) → task figures.
    pub tasks: BTreeMap<String, BTreeMap<String, Month>>,
}

/// The summary of a street's records at `now`: `buildings` by building id,
/// `key_tags` the groups counted, a key household not visited in `days`
/// counted as not visited.
pub fn compute(
    directory: &Directory,
    buildings: &[(String, Building)],
    boards: &[TaskBoard],
    key_tags: &[&str],
    days: u32,
    now: i64,
) -> StreetSummary {
    let cutoff = now.saturating_sub(i64::from(days).saturating_mul(DAY_MS));
    let mut s = StreetSummary {
        street: directory.street.clone(),
        not_visited_days: days,
        ..StreetSummary::default()
    };
    for (id, c) in &directory.communities {
        s.communities
            .insert(id.to_string(), (c.name.clone(), Counts::default()));
    }
    for (id, b) in buildings {
        let community = directory
            .buildings
            .iter()
            .find(|(bid, _)| bid.as_str() == id)
            .map(|(_, e)| e.community.to_string())
            .unwrap_or_default();
        let mut counts = Counts::default();
        for hh in b.households.values() {
            counts.households += 1;
            let groups: Vec<&str> = key_tags.iter().copied().filter(|t| hh.has_tag(t)).collect();
            for g in &groups {
                *counts.groups.entry((*g).to_owned()).or_default() += 1;
            }
            if !groups.is_empty() {
                counts.key_households += 1;
                if hh.not_visited_since(cutoff) {
                    counts.not_visited += 1;
                }
            }
        }
        let total = &mut s
            .communities
            .entry(community.clone())
            .or_insert_with(|| (community.clone(), Counts::default()))
            .1;
        total.buildings += 1;
        total.households += counts.households;
        total.key_households += counts.key_households;
        total.not_visited += counts.not_visited;
        for (g, n) in &counts.groups {
            *total.groups.entry(g.clone()).or_default() += n;
        }
        s.buildings.insert(id.clone(), (community, counts));
    }
    for board in boards {
        let months = s
            .tasks
            .entry(board.board.community.to_string())
            .or_default();
        for task in board.tasks.values() {
            let month = format_date(task.created_at)
                .chars()
                .take(7)
                .collect::<String>();
            let m = months.entry(month).or_default();
            m.raised += 1;
            match task.state().status {
                TaskStatus::Done => m.done += 1,
                TaskStatus::Cancelled => m.cancelled += 1,
                _ => m.open += 1,
            }
        }
    }
    s
}

/// Makes `tx`'s document a street summary holding `summary`, writing only
/// what differs.
pub fn write<T: Transactable + ?Sized>(
    tx: &mut T,
    summary: &StreetSummary,
) -> Result<(), WriteError> {
    root::init(tx, DocKind::StreetSummary)?;
    fields::put_str(tx, &ROOT, "street", &summary.street)?;
    fields::put_i64(
        tx,
        &ROOT,
        "notVisitedDays",
        i64::from(summary.not_visited_days),
    )?;
    let root = At::ROOT;
    let at = root.child("communities");
    let all = fields::ensure_map(tx, &ROOT, "communities", &at)?;
    prune(tx, &all, summary.communities.keys())?;
    for (id, (name, counts)) in &summary.communities {
        let e = fields::ensure_map(tx, &all, id, &at.child(id))?;
        fields::put_str(tx, &e, "name", name)?;
        fields::put_i64(tx, &e, "buildings", n(counts.buildings))?;
        put_counts(tx, &e, counts, &at.child(id))?;
    }
    let at = root.child("buildings");
    let all = fields::ensure_map(tx, &ROOT, "buildings", &at)?;
    prune(tx, &all, summary.buildings.keys())?;
    for (id, (community, counts)) in &summary.buildings {
        let e = fields::ensure_map(tx, &all, id, &at.child(id))?;
        fields::put_str(tx, &e, "community", community)?;
        put_counts(tx, &e, counts, &at.child(id))?;
    }
    let at = root.child("tasks");
    let all = fields::ensure_map(tx, &ROOT, "tasks", &at)?;
    prune(tx, &all, summary.tasks.keys())?;
    for (community, months) in &summary.tasks {
        let c_at = at.child(community);
        let c = fields::ensure_map(tx, &all, community, &c_at)?;
        prune(tx, &c, months.keys())?;
        for (month, m) in months {
            let e = fields::ensure_map(tx, &c, month, &c_at.child(month))?;
            fields::put_i64(tx, &e, "raised", n(m.raised))?;
            fields::put_i64(tx, &e, "open", n(m.open))?;
            fields::put_i64(tx, &e, "done", n(m.done))?;
            fields::put_i64(tx, &e, "cancelled", n(m.cancelled))?;
        }
    }
    Ok(())
}

fn n(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn put_counts<T: Transactable + ?Sized>(
    tx: &mut T,
    e: &ObjId,
    counts: &Counts,
    at: &At<'_>,
) -> Result<(), WriteError> {
    fields::put_i64(tx, e, "households", n(counts.households))?;
    fields::put_i64(tx, e, "keyHouseholds", n(counts.key_households))?;
    fields::put_i64(tx, e, "notVisited", n(counts.not_visited))?;
    let g = fields::ensure_map(tx, e, "groups", &at.child("groups"))?;
    prune(tx, &g, counts.groups.keys())?;
    for (tag, v) in &counts.groups {
        fields::put_i64(tx, &g, tag, n(*v))?;
    }
    Ok(())
}

/// Deletes the keys of `obj` not in `keep`.
fn prune<'a, T: Transactable + ?Sized>(
    tx: &mut T,
    obj: &ObjId,
    keep: impl Iterator<Item = &'a String>,
) -> Result<(), WriteError> {
    let keep: Vec<&String> = keep.collect();
    for old in fields::keys(tx, obj) {
        if !keep.contains(&&old) {
            fields::delete(tx, obj, &old)?;
        }
    }
    Ok(())
}

/// Checks that `doc` is a street summary; returns its street's name.
pub fn street_of<D: ReadDoc + ?Sized>(doc: &D) -> Result<String, ShapeError> {
    root::check(doc, DocKind::StreetSummary)?;
    fields::str_or_empty(doc, &ROOT, "street", &At::ROOT.child("street"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::building::tests::building_ref;
    use automerge::AutoCommit;

    #[test]
    fn a_summary_counts_and_rewriting_it_unchanged_changes_nothing() {
        let mut dir = AutoCommit::new();
        crate::directory::init(&mut dir, "东湖街道").unwrap();
        crate::directory::register_building(&mut dir, &building_ref(), None).unwrap();
        let directory = Directory::load(&dir).unwrap();
        let mut b = AutoCommit::new();
        crate::building::init(&mut b, &building_ref()).unwrap();
        let building = Building::load(&b).unwrap();
        let s = compute(
            &directory,
            &[(building_ref().id.to_string(), building)],
            &[],
            &["elderly-alone"],
            30,
            1_750_000_000_000,
        );
        assert_eq!(s.buildings.len(), 1);
        let mut doc = AutoCommit::new();
        write(&mut doc, &s).unwrap();
        doc.commit();
        assert_eq!(street_of(&doc).unwrap(), "东湖街道");
        write(&mut doc, &s).unwrap();
        assert!(doc.commit().is_none());
    }
}
