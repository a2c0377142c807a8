//! Concurrent values: list them for a person, and resolve one by writing the
//! chosen value.
//!
//! When two devices change the same field offline, automerge keeps both
//! values; reads show one (the "winner", chosen by automerge's op order,
//! not by anything a person decided). linli shows such fields to a person
//! instead of silently picking: [`list_conflicts`] walks any document —
//! it does not depend on the record shapes — and reports every map key and
//! list element with more than one value. [`resolve_conflict`] writes the
//! chosen value, which supersedes all the concurrent ones.
//!
//! The walk descends only into the winning value of a conflicted field:
//! conflicts inside a losing object are not reachable by readers anyway,
//! and disappear with it when resolved.

use std::collections::{BTreeMap, HashMap};

use automerge::transaction::Transactable;
use automerge::{
    ActorId, Automerge, ChangeHash, ObjId, ObjType, Prop, ROOT, ReadDoc, Value, hydrate,
};
use serde::{Deserialize, Serialize};

use crate::json::{json_to_hydrate, value_to_json};

/// A field with concurrent values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// Map keys and list indices (as decimal text) from the root to the field.
    pub path: Vec<String>,
    /// Every concurrent value; exactly one has `winner: true`.
    pub values: Vec<ConflictValue>,
}

/// One of a field's concurrent values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictValue {
    /// The value as JSON, by the rules of [`crate::json`]: strings, numbers,
    /// booleans and null as themselves; maps, lists and text rendered whole
    /// (their winning values); counters as their number, bytes as an array
    /// of numbers.
    pub value: serde_json::Value,
    /// The id of the operation that wrote it (`counter@actor`); pass it to
    /// [`Resolution::Keep`].
    pub op: String,
    /// The writing device's automerge actor id (hex).
    pub actor: String,
    /// Who wrote it, as the change's message says (linli devices record the
    /// person id of whoever uses them), when the change is known and has one.
    pub author: Option<String>,
    /// Hash of the change holding the operation, when the change is known.
    pub change: Option<String>,
    /// The change's timestamp as its writer recorded it (linli writers commit
    /// with seconds since the epoch, as automerge change times are), when the
    /// change is known and has one.
    pub time: Option<i64>,
    /// Whether this is the value readers currently see.
    pub winner: bool,
}

/// How to resolve a conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resolution {
    /// Keep the value written by this operation ([`ConflictValue::op`]). A
    /// map or list value is written again as a copy; changes made inside
    /// the replaced objects by devices that have not yet synced are lost.
    Keep {
        /// The chosen value's op id.
        op: String,
    },
    /// Write a new value (JSON, by the rules of [`crate::json`]: objects
    /// become maps, arrays lists, integers `Int` (or `Uint` beyond i64),
    /// other numbers `F64`).
    Write(serde_json::Value),
}

/// Why a conflict could not be resolved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConflictError {
    /// The path does not lead to a field.
    #[error("no field at {path}")]
    NoSuchPath {
        /// The path, joined with `/`.
        path: String,
    },
    /// The chosen op id is not one of the field's values (the document changed
    /// since the conflict was listed, or the id is mistyped).
    #[error("{op} is not one of the values at {path}; list the conflicts again")]
    UnknownValue {
        /// The path, joined with `/`.
        path: String,
        /// The op id given.
        op: String,
    },
    /// automerge refused.
    #[error("automerge: {0}")]
    Automerge(#[from] automerge::AutomergeError),
}

/// Where each operation's change is, by actor.
struct ChangeIndex {
    by_actor: HashMap<ActorId, Vec<IndexedChange>>,
}

/// What a conflict listing needs of one change.
struct IndexedChange {
    start_op: u64,
    max_op: u64,
    hash: ChangeHash,
    time: i64,
    message: Option<String>,
}

impl ChangeIndex {
    fn new(doc: &Automerge) -> Self {
        let mut by_actor: HashMap<ActorId, Vec<_>> = HashMap::new();
        for meta in doc.get_changes_meta(&[]) {
            by_actor
                .entry(meta.actor.into_owned())
                .or_default()
                .push(IndexedChange {
                    start_op: meta.start_op,
                    max_op: meta.max_op,
                    hash: meta.hash,
                    time: meta.timestamp,
                    message: meta.message.map(|m| m.into_owned()),
                });
        }
        ChangeIndex { by_actor }
    }

    fn find(&self, actor: &ActorId, counter: u64) -> Option<&IndexedChange> {
        self.by_actor
            .get(actor)?
            .iter()
            .find(|c| c.start_op <= counter && counter <= c.max_op)
    }
}

/// Every field of `doc` that has concurrent values, in document order (map
/// keys sorted, list elements by index). For an `AutoCommit`, pass
/// `doc.document()`.
pub fn list_conflicts(doc: &Automerge) -> Result<Vec<Conflict>, ConflictError> {
    let index = ChangeIndex::new(doc);
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk(doc, &index, &ROOT, ObjType::Map, &mut path, &mut out)?;
    Ok(out)
}

fn walk(
    doc: &Automerge,
    index: &ChangeIndex,
    obj: &ObjId,
    obj_type: ObjType,
    path: &mut Vec<String>,
    out: &mut Vec<Conflict>,
) -> Result<(), ConflictError> {
    let props: Vec<Prop> = match obj_type {
        ObjType::Map | ObjType::Table => doc.keys(obj).map(Prop::Map).collect(),
        ObjType::List => (0..doc.length(obj)).map(Prop::Seq).collect(),
        ObjType::Text => return Ok(()),
    };
    for prop in props {
        path.push(prop_text(&prop));
        let all = doc.get_all(obj, prop.clone())?;
        let winner = doc.get(obj, prop)?;
        if all.len() > 1 {
            let winner_id = winner.as_ref().map(|(_, id)| id.clone());
            let mut values = Vec::with_capacity(all.len());
            for (value, id) in &all {
                values.push(describe_value(doc, index, value, id, winner_id.as_ref())?);
            }
            out.push(Conflict {
                path: path.clone(),
                values,
            });
        }
        if let Some((Value::Object(child_type), child)) = winner {
            walk(doc, index, &child, child_type, path, out)?;
        }
        path.pop();
    }
    Ok(())
}

fn prop_text(prop: &Prop) -> String {
    match prop {
        Prop::Map(k) => k.clone(),
        Prop::Seq(i) => i.to_string(),
    }
}

fn describe_value(
    doc: &Automerge,
    index: &ChangeIndex,
    value: &Value<'_>,
    id: &ObjId,
    winner: Option<&ObjId>,
) -> Result<ConflictValue, ConflictError> {
    let (actor, change) = match id {
        ObjId::Id(counter, actor, _) => (actor.to_hex_string(), index.find(actor, *counter)),
        ObjId::Root => (String::new(), None),
    };
    Ok(ConflictValue {
        value: value_to_json(doc, value, id),
        op: id.to_string(),
        actor,
        author: change.and_then(|c| c.message.clone()),
        change: change.map(|c| c.hash.to_string()),
        time: change.and_then(|c| (c.time != 0).then_some(c.time)),
        winner: winner == Some(id),
    })
}

/// Resolves the conflict at `path` (as listed by [`list_conflicts`]) by
/// writing the chosen value, which supersedes every concurrent value. Also
/// works on a field that has no conflict (any more): it is then a plain
/// write. Commit the transaction as usual.
pub fn resolve_conflict<T: Transactable + ?Sized>(
    tx: &mut T,
    path: &[String],
    resolution: &Resolution,
) -> Result<(), ConflictError> {
    let joined = || path.join("/");
    let Some((last, parents)) = path.split_last() else {
        return Err(ConflictError::NoSuchPath { path: joined() });
    };
    let mut obj = ROOT;
    let mut obj_type = ObjType::Map;
    for segment in parents {
        let prop = prop_for(obj_type, segment)
            .ok_or_else(|| ConflictError::NoSuchPath { path: joined() })?;
        match tx.get(&obj, prop)? {
            Some((Value::Object(t), child)) => {
                obj = child;
                obj_type = t;
            }
            _ => return Err(ConflictError::NoSuchPath { path: joined() }),
        }
    }
    let prop =
        prop_for(obj_type, last).ok_or_else(|| ConflictError::NoSuchPath { path: joined() })?;
    if let Prop::Seq(i) = prop
        && i >= tx.length(&obj)
    {
        return Err(ConflictError::NoSuchPath { path: joined() });
    }
    let new: hydrate::Value = match resolution {
        Resolution::Write(json) => json_to_hydrate(json),
        Resolution::Keep { op } => {
            let all = tx.get_all(&obj, prop.clone())?;
            let Some((value, id)) = all.iter().find(|(_, id)| id.to_string() == *op) else {
                return Err(ConflictError::UnknownValue {
                    path: joined(),
                    op: op.clone(),
                });
            };
            match value {
                Value::Scalar(s) => hydrate::Value::Scalar(s.as_ref().clone()),
                Value::Object(_) => tx.hydrate(id, None)?,
            }
        }
    };
    match new {
        hydrate::Value::Scalar(s) => {
            tx.put(&obj, prop, s)?;
        }
        object => {
            tx.batch_create_object(&obj, prop, &object, false)?;
        }
    }
    Ok(())
}

fn prop_for(obj_type: ObjType, segment: &str) -> Option<Prop> {
    match obj_type {
        ObjType::Map | ObjType::Table => Some(Prop::Map(segment.to_owned())),
        ObjType::List => segment.parse().ok().map(Prop::Seq),
        ObjType::Text => None,
    }
}

/// Groups conflicts by their first path segment, e.g. to show a building
/// head "3 conflicts in households" before the details.
pub fn count_by_section(conflicts: &[Conflict]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for c in conflicts {
        if let Some(first) = c.path.first() {
            *out.entry(first.clone()).or_insert(0) += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::AutoCommit;
    use automerge::transaction::CommitOptions;
    use serde_json::json;

    /// Two devices set `households/h1/phone` concurrently.
    fn conflicted() -> AutoCommit {
        let mut a = AutoCommit::new().with_actor(ActorId::from(b"aaaa".as_slice()));
        let hh = a.put_object(&ROOT, "households", ObjType::Map).unwrap();
        let h1 = a.put_object(&hh, "h1", ObjType::Map).unwrap();
        a.put(&h1, "phone", "130").unwrap();
        a.put(&h1, "name", "王").unwrap();
        a.commit_with(CommitOptions::default().with_time(1_000));
        let mut b = a.fork().with_actor(ActorId::from(b"bbbb".as_slice()));
        a.put(&h1, "phone", "131").unwrap();
        a.commit_with(CommitOptions::default().with_time(2_000));
        b.put(&h1, "phone", "132").unwrap();
        b.commit_with(
            CommitOptions::default()
                .with_time(3_000)
                .with_message("grid-worker-li".to_owned()),
        );
        a.merge(&mut b).unwrap();
        a
    }

    #[test]
    fn concurrent_writes_are_listed_with_their_origin() {
        let mut doc = conflicted();
        let conflicts = list_conflicts(doc.document()).unwrap();
        assert_eq!(conflicts.len(), 1);
        let c = &conflicts[0];
        assert_eq!(c.path, ["households", "h1", "phone"]);
        let mut values: Vec<_> = c
            .values
            .iter()
            .map(|v| (v.value.clone(), v.time, v.author.as_deref()))
            .collect();
        values.sort_by_key(|(_, t, _)| *t);
        assert_eq!(
            values,
            [
                (json!("131"), Some(2_000), None),
                (json!("132"), Some(3_000), Some("grid-worker-li")),
            ]
        );
        assert_eq!(c.values.iter().filter(|v| v.winner).count(), 1);
        assert!(c.values.iter().all(|v| v.change.is_some()));
        let actors: Vec<_> = c.values.iter().map(|v| v.actor.as_str()).collect();
        assert!(actors.contains(&hex::encode("aaaa").as_str()));
        assert!(actors.contains(&hex::encode("bbbb").as_str()));
    }

    #[test]
    fn keeping_a_losing_value_supersedes_the_others() {
        let mut doc = conflicted();
        let c = list_conflicts(doc.document()).unwrap().remove(0);
        let loser = c.values.iter().find(|v| !v.winner).unwrap().clone();
        resolve_conflict(&mut doc, &c.path, &Resolution::Keep { op: loser.op }).unwrap();
        doc.commit();
        assert!(list_conflicts(doc.document()).unwrap().is_empty());
        let hh = doc.get(&ROOT, "households").unwrap().unwrap().1;
        let h1 = doc.get(&hh, "h1").unwrap().unwrap().1;
        let phone = doc.get(&h1, "phone").unwrap().unwrap().0;
        assert_eq!(value_to_json(&doc, &phone, &h1), loser.value);
    }

    #[test]
    fn keeping_the_winner_also_resolves() {
        let mut doc = conflicted();
        let c = list_conflicts(doc.document()).unwrap().remove(0);
        let winner = c.values.iter().find(|v| v.winner).unwrap().clone();
        resolve_conflict(&mut doc, &c.path, &Resolution::Keep { op: winner.op }).unwrap();
        doc.commit();
        assert!(list_conflicts(doc.document()).unwrap().is_empty());
    }

    #[test]
    fn writing_a_new_value_resolves_and_survives_merge_with_both_sides() {
        let mut doc = conflicted();
        let mut other = doc.fork();
        let path: Vec<String> = ["households", "h1", "phone"].map(String::from).into();
        resolve_conflict(&mut doc, &path, &Resolution::Write(json!("139"))).unwrap();
        doc.commit();
        other.merge(&mut doc).unwrap();
        assert!(list_conflicts(other.document()).unwrap().is_empty());
    }

    #[test]
    fn conflicting_objects_render_whole_and_can_be_kept() {
        let mut a = AutoCommit::new();
        a.put_object(&ROOT, "tasks", ObjType::Map).unwrap();
        a.commit();
        let mut b = a.fork();
        let tasks = a.get(&ROOT, "tasks").unwrap().unwrap().1;
        let t = a.put_object(&tasks, "t1", ObjType::Map).unwrap();
        a.put(&t, "title", "A").unwrap();
        let t = b.put_object(&tasks, "t1", ObjType::Map).unwrap();
        b.put(&t, "title", "B").unwrap();
        let l = b.put_object(&t, "events", ObjType::List).unwrap();
        b.insert(&l, 0, 7_i64).unwrap();
        a.commit();
        b.commit();
        a.merge(&mut b).unwrap();
        let c = list_conflicts(a.document()).unwrap().remove(0);
        assert_eq!(c.path, ["tasks", "t1"]);
        let b_value = c
            .values
            .iter()
            .find(|v| v.value == json!({"title": "B", "events": [7]}))
            .unwrap()
            .clone();
        resolve_conflict(&mut a, &c.path, &Resolution::Keep { op: b_value.op }).unwrap();
        a.commit();
        assert!(list_conflicts(a.document()).unwrap().is_empty());
        let t = a.get(&tasks, "t1").unwrap().unwrap();
        assert_eq!(
            value_to_json(&a, &t.0, &t.1),
            json!({"title": "B", "events": [7]})
        );
    }

    #[test]
    fn list_element_conflicts_are_found_by_index() {
        let mut a = AutoCommit::new();
        let l = a.put_object(&ROOT, "l", ObjType::List).unwrap();
        a.insert(&l, 0, "x").unwrap();
        a.commit();
        let mut b = a.fork();
        a.put(&l, 0, "a").unwrap();
        b.put(&l, 0, "b").unwrap();
        a.commit();
        b.commit();
        a.merge(&mut b).unwrap();
        let c = list_conflicts(a.document()).unwrap().remove(0);
        assert_eq!(c.path, ["l", "0"]);
        resolve_conflict(
            &mut a,
            &c.path,
            &Resolution::Write(json!({"k": [1, 2.5, null]})),
        )
        .unwrap();
        a.commit();
        assert!(list_conflicts(a.document()).unwrap().is_empty());
    }

    #[test]
    fn stale_choices_and_bad_paths_are_refused() {
        let mut doc = conflicted();
        let path: Vec<String> = ["households", "h1", "phone"].map(String::from).into();
        assert!(matches!(
            resolve_conflict(&mut doc, &path, &Resolution::Keep { op: "1@00".into() }),
            Err(ConflictError::UnknownValue { .. })
        ));
        let bad: Vec<String> = ["households", "nope", "phone"].map(String::from).into();
        assert!(matches!(
            resolve_conflict(&mut doc, &bad, &Resolution::Write(json!(1))),
            Err(ConflictError::NoSuchPath { .. })
        ));
        assert!(matches!(
            resolve_conflict(&mut doc, &[], &Resolution::Write(json!(1))),
            Err(ConflictError::NoSuchPath { .. })
        ));
    }

    #[test]
    fn sections_are_counted() {
        let mut doc = conflicted();
        let counts = count_by_section(&list_conflicts(doc.document()).unwrap());
        assert_eq!(counts.get("households"), Some(&1));
    }
}
