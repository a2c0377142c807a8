//! Notices (通知公告): what the street office or a community tells its
//! building heads, and who has read it, on the community's task board.
//!
//! ```text
//! task board: { …,
//!   notices: { <NoticeId>: { title, body, by: PersonId, at: ms, deadline?: ms,
//!                            compounds: { <CompoundId>: true },   // empty: the
//!                            buildings: { <BuildingId>: true },   // whole community
//!                            reads: { <PersonId>: ms } } } }
//! ```
//!
//! # Where
//!
//! A notice lives on the board of each community it is for, for the period
//! it was published in: the board is already one document per community
//! and period, synced to every building head of the community and to no
//! one else, so a notice reaches exactly its community and none grows
//! without bound. Within the community the audience is narrowed by compound
//! or building; empty sets mean everyone.
//!
//! # Read receipts
//!
//! `reads` is a map keyed by person, made with the notice, so two building
//! heads marking it read offline both keep their receipt; marking it read
//! again keeps the first time.

use std::collections::{BTreeMap, BTreeSet};

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ReadDoc};
use serde::{Deserialize, Serialize};

use crate::directory::Directory;
use crate::error::{ShapeError, WriteError};
use crate::fields::{self, At};
use crate::ids::{BuildingId, CompoundId, NoticeId, PersonId};
use crate::root::{self, DocKind};

/// A notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub title: String,
    pub body: String,
    pub by: PersonId,
    pub at: i64,
    /// Read it by then (end of a day), if set.
    pub deadline: Option<i64>,
    /// Only these compounds' buildings (with `buildings`); both empty: the
    /// whole community.
    pub compounds: BTreeSet<CompoundId>,
    pub buildings: BTreeSet<BuildingId>,
    /// Who has read it, and when.
    pub reads: BTreeMap<PersonId, i64>,
}

impl Notice {
    /// Whether the notice is for `building` (of this board's community).
    pub fn is_for(&self, building: &BuildingId, directory: &Directory) -> bool {
        if self.compounds.is_empty() && self.buildings.is_empty() {
            return true;
        }
        self.buildings.contains(building)
            || directory
                .compound_of(building)
                .is_some_and(|c| self.compounds.contains(c))
    }

    /// Whether a person responsible for `buildings` should read it.
    pub fn is_for_any(&self, buildings: &[BuildingId], directory: &Directory) -> bool {
        buildings.iter().any(|b| self.is_for(b, directory))
    }
}

/// Who should read a notice, and who has not: each reader with the
/// buildings they answer for (say, the building-head tokens and their
/// scopes), those the notice is for and who have not read it, in order.
pub fn unread<'a>(
    notice: &Notice,
    readers: &'a [(PersonId, Vec<BuildingId>)],
    directory: &Directory,
) -> Vec<&'a PersonId> {
    readers
        .iter()
        .filter(|(p, b)| notice.is_for_any(b, directory) && !notice.reads.contains_key(p))
        .map(|(p, _)| p)
        .collect()
}

pub(crate) fn load_notices<D: ReadDoc + ?Sized>(
    doc: &D,
) -> Result<BTreeMap<NoticeId, Notice>, ShapeError> {
    fields::root_entries(doc, "notices", NoticeId::new, |doc, o, at| {
        let by_at = at.child("by");
        let r_at = at.child("reads");
        let mut reads = BTreeMap::new();
        if let Some(r) = fields::opt_map(doc, o, "reads", &r_at)? {
            for key in fields::keys(doc, &r) {
                let k_at = r_at.child(&key);
                let person = PersonId::new(key.clone()).map_err(|e| k_at.bad(e.to_string()))?;
                if let Some(when) = fields::opt_i64(doc, &r, &key, &k_at)? {
                    reads.insert(person, when);
                }
            }
        }
        Ok(Notice {
            title: fields::str_or_empty(doc, o, "title", &at.child("title"))?,
            body: fields::str_or_empty(doc, o, "body", &at.child("body"))?,
            by: PersonId::new(fields::req_str(doc, o, "by", &by_at)?)
                .map_err(|e| by_at.bad(e.to_string()))?,
            at: fields::req_i64(doc, o, "at", &at.child("at"))?,
            deadline: fields::opt_i64(doc, o, "deadline", &at.child("deadline"))?,
            compounds: ids(doc, o, "compounds", at, CompoundId::new)?,
            buildings: ids(doc, o, "buildings", at, BuildingId::new)?,
            reads,
        })
    })
}

fn ids<D: ReadDoc + ?Sized, I: Ord, E: std::fmt::Display>(
    doc: &D,
    obj: &automerge::ObjId,
    key: &str,
    at: &At<'_>,
    make: impl Fn(String) -> Result<I, E>,
) -> Result<BTreeSet<I>, ShapeError> {
    let at = at.child(key);
    fields::set(doc, obj, key, &at)?
        .into_iter()
        .map(|k| make(k).map_err(|e| at.bad(e.to_string())))
        .collect()
}

/// Publishes notice `id` on the board in `tx`. Refuses an id already used.
pub fn publish<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &NoticeId,
    notice: &Notice,
) -> Result<(), WriteError> {
    root::check(tx, DocKind::TaskBoard)?;
    let root = At::ROOT;
    let at = root.child("notices");
    let all = fields::ensure_map(tx, &ROOT, "notices", &at)?;
    if tx.get(&all, id.as_str())?.is_some() {
        return Err(WriteError::AlreadyExists {
            what: "notice",
            id: id.to_string(),
        });
    }
    let n = tx.put_object(&all, id.as_str(), ObjType::Map)?;
    let at = at.child(id.as_str());
    fields::put_str(tx, &n, "title", &notice.title)?;
    fields::put_str(tx, &n, "body", &notice.body)?;
    fields::put_str(tx, &n, "by", notice.by.as_str())?;
    fields::put_i64(tx, &n, "at", notice.at)?;
    fields::put_opt_i64(tx, &n, "deadline", notice.deadline)?;
    let compounds = notice.compounds.iter().map(|c| c.to_string()).collect();
    fields::put_set(tx, &n, "compounds", &compounds, &at.child("compounds"))?;
    let buildings = notice.buildings.iter().map(|b| b.to_string()).collect();
    fields::put_set(tx, &n, "buildings", &buildings, &at.child("buildings"))?;
    tx.put_object(&n, "reads", ObjType::Map)?;
    Ok(())
}

/// Marks notice `id` read by `by` at `at`; a second time keeps the first.
/// Returns whether anything was written.
pub fn mark_read<T: Transactable + ?Sized>(
    tx: &mut T,
    id: &NoticeId,
    by: &PersonId,
    at: i64,
) -> Result<bool, WriteError> {
    root::check(tx, DocKind::TaskBoard)?;
    let root = At::ROOT;
    let n_at = root.child("notices");
    let n_at = n_at.child(id.as_str());
    let mut found = None;
    for all in fields::map_copies(tx, "notices")? {
        if let Some(n) = fields::opt_map(tx, &all, id.as_str(), &n_at)? {
            found = Some(n);
            break;
        }
    }
    let n = found.ok_or_else(|| WriteError::NotFound {
        what: "notice",
        id: id.to_string(),
    })?;
    let reads = fields::ensure_map(tx, &n, "reads", &n_at.child("reads"))?;
    if tx.get(&reads, by.as_str())?.is_some() {
        return Ok(false);
    }
    fields::put_i64(tx, &reads, by.as_str(), at)?;
    Ok(true)
}

#[cfg(test)]
mod tests;
