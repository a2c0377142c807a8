//! Reading and writing one field of a record: the one place record shapes
//! touch automerge's API directly.
//!
//! Reads are typed and accept what JavaScript peers write as well as what
//! this crate writes: a string may be a scalar string or a `Text` object, an
//! integer an `Int`, `Uint`, `Timestamp` or an integral `F64`. A read error
//! names the field's path ([`At`]).
//!
//! Writes compare with the visible value first and write nothing when it is
//! already equal. That is what makes re-applying an import produce no
//! automerge change at all, and it keeps concurrent values alive: automerge
//! turns a put of the visible value into the deletion of every concurrent
//! one, which would silently settle a conflict a person should see (see
//! [`crate::conflicts`]). This is also why record writes do not use
//! autosurgeon's `reconcile`: it puts every scalar again, and so would settle
//! every conflict it passes over without telling anyone.

use std::collections::BTreeSet;

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value};

use crate::error::{ShapeError, WriteError};

/// Where a value sits in a document; built on the stack and rendered only
/// for error messages.
#[derive(Clone, Copy)]
pub(crate) struct At<'a> {
    parent: Option<&'a At<'a>>,
    key: &'a str,
}

impl<'a> At<'a> {
    pub(crate) const ROOT: At<'static> = At {
        parent: None,
        key: "",
    };

    pub(crate) fn child(&'a self, key: &'a str) -> At<'a> {
        At {
            parent: Some(self),
            key,
        }
    }

    pub(crate) fn render(&self) -> String {
        let mut parts = Vec::new();
        let mut at = Some(self);
        while let Some(a) = at {
            if a.parent.is_some() {
                parts.push(a.key);
            }
            at = a.parent;
        }
        parts.reverse();
        if parts.is_empty() {
            "(root)".to_owned()
        } else {
            parts.join("/")
        }
    }

    pub(crate) fn missing(&self) -> ShapeError {
        ShapeError::Missing {
            path: self.render(),
        }
    }

    pub(crate) fn bad(&self, problem: impl Into<String>) -> ShapeError {
        ShapeError::BadValue {
            path: self.render(),
            problem: problem.into(),
        }
    }

    fn wrong(&self, expected: &'static str, found: &Value<'_>) -> ShapeError {
        ShapeError::WrongType {
            path: self.render(),
            expected,
            found: describe(found),
        }
    }
}

/// Short description of a value for error messages.
pub(crate) fn describe(value: &Value<'_>) -> String {
    match value {
        Value::Object(ObjType::Map) => "a map".to_owned(),
        Value::Object(ObjType::Table) => "a table".to_owned(),
        Value::Object(ObjType::List) => "a list".to_owned(),
        Value::Object(ObjType::Text) => "a text".to_owned(),
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => format!("the string {s:?}"),
            other => format!("the value {other}"),
        },
    }
}

fn get<'d, D: ReadDoc + ?Sized>(
    doc: &'d D,
    obj: &ObjId,
    key: &str,
) -> Result<Option<(Value<'d>, ObjId)>, ShapeError> {
    Ok(doc.get(obj, key)?)
}

/// The map at `obj[key]`, if any.
pub(crate) fn opt_map<D: ReadDoc + ?Sized>(
    doc: &D,
    obj: &ObjId,
    key: &str,
    at: &At<'_>,
) -> Result<Option<ObjId>, ShapeError> {
    match get(doc, obj, key)? {
        None => Ok(None),
        Some((Value::Object(ObjType::Map | ObjType::Table), id)) => Ok(Some(id)),
        Some((other, _)) => Err(at.wrong("a map", &other)),
    }
}

/// Every concurrent copy of the map at `ROOT[key]`: two devices that each
/// created it offline made two maps, and a reader must see both, or one
/// device's entries would vanish after the merge.
pub(crate) fn map_copies<D: ReadDoc + ?Sized>(
    doc: &D,
    key: &str,
) -> Result<Vec<ObjId>, ShapeError> {
    Ok(doc
        .get_all(&automerge::ROOT, key)?
        .into_iter()
        .filter_map(|(value, id)| matches!(value, Value::Object(ObjType::Map)).then_some(id))
        .collect())
}

/// Reads every entry of every copy of the map at `ROOT[key]` with `read`,
/// keeping the first of an id found in several copies.
pub(crate) fn root_entries<D, K, V, E>(
    doc: &D,
    key: &str,
    make_id: impl Fn(String) -> Result<K, E>,
    read: impl Fn(&D, &ObjId, &At<'_>) -> Result<V, ShapeError>,
) -> Result<std::collections::BTreeMap<K, V>, ShapeError>
where
    D: ReadDoc + ?Sized,
    K: Ord,
    E: std::fmt::Display,
{
    let root = At::ROOT;
    let at = root.child(key);
    // A wrong type at `key` is reported; the map copies are read below.
    opt_map(doc, &automerge::ROOT, key, &at)?;
    let mut out = std::collections::BTreeMap::new();
    for obj in map_copies(doc, key)? {
        for (id, o, text) in entries(doc, &obj, &at, &make_id)? {
            if let std::collections::btree_map::Entry::Vacant(slot) = out.entry(id) {
                slot.insert(read(doc, &o, &at.child(&text))?);
            }
        }
    }
    Ok(out)
}

/// The list at `obj[key]`, if any.
pub(crate) fn opt_list<D: ReadDoc + ?Sized>(
    doc: &D,
    obj: &ObjId,
    key: &str,
    at: &At<'_>,
) -> Result<Option<ObjId>, ShapeError> {
    match get(doc, obj, key)? {
        None => Ok(None),
        Some((Value::Object(ObjType::List), id)) => Ok(Some(id)),
        Some((other, _)) => Err(at.wrong("a list", &other)),
    }
}

fn as_string<D: ReadDoc + ?Sized>(
    doc: &D,
    value: (Value<'_>, ObjId),
    at: &At<'_>,
) -> Result<String, ShapeError> {
    match value {
        (Value::Scalar(s), _) => match s.as_ref() {
            ScalarValue::Str(s) => Ok(s.to_string()),
            _ => Err(at.wrong("a string", &Value::Scalar(s))),
        },
        (Value::Object(ObjType::Text), id) => Ok(doc.text(&id)?),
        (other, _) => Err(at.wrong("a string", &other)),
    }
}

/// The string at `obj[key]`, if any.
pub(crate) fn opt_str<D: ReadDoc + ?Sized>(
    doc: &D,
    obj: &ObjId,
    key: &str,
    at: &At<'_>,
) -> Result<Option<String>, ShapeError> {
    match get(doc, obj, key)? {
        None => Ok(None),
        Some((Value::Scalar(s), _)) if matches!(s.as_ref(), ScalarValue::Null) => Ok(None),
        Some(v) => as_string(doc, v, at).map(Some),
    }
}

/// The string at `obj[key]`, which must exist.
pub(crate) fn req_str<D: ReadDoc + ?Sized>(
    doc: &D,
    obj: &ObjId,
    key: &str,
    at: &At<'_>,
) -> Result<String, ShapeError> {
    opt_str(doc, obj, key, at)?.ok_or_else(|| at.missing())
}

/// The string at `obj[key]`, or `""` when absent.
pub(crate) fn str_or_empty<D: ReadDoc + ?Sized>(
    doc: &D,
    obj: &ObjId,
    key: &str,
    at: &At<'_>,
) -> Result<String, ShapeError> {
    Ok(opt_str(doc, obj, key, at)?.unwrap_or_default())
}

fn scalar_i64(s: &ScalarValue) -> Option<i64> {
    match s {
        ScalarValue::Int(i) | ScalarValue::Timestamp(i) => Some(*i),
        ScalarValue::Uint(u) => i64::try_from(*u).ok(),
        ScalarValue::F64(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
        _ => None,
    }
}

/// The integer at `obj[key]`, if any.
pub(crate) fn opt_i64<D: ReadDoc + ?Sized>(
    doc: &D,
    obj: &ObjId,
    key: &str,
    at: &At<'_>,
) -> Result<Option<i64>, ShapeError> {
    match get(doc, obj, key)? {
        None => Ok(None),
        Some((Value::Scalar(s), _)) if matches!(s.as_ref(), ScalarValue::Null) => Ok(None),
        Some((Value::Scalar(s), _)) => match scalar_i64(s.as_ref()) {
            Some(i) => Ok(Some(i)),
            None => Err(at.wrong("an integer", &Value::Scalar(s))),
        },
        Some((other, _)) => Err(at.wrong("an integer", &other)),
    }
}

/// The integer at `obj[key]`, which must exist.
pub(crate) fn req_i64<D: ReadDoc + ?Sized>(
    doc: &D,
    obj: &ObjId,
    key: &str,
    at: &At<'_>,
) -> Result<i64, ShapeError> {
    opt_i64(doc, obj, key, at)?.ok_or_else(|| at.missing())
}

/// An integer narrowed to `T`, with a range error naming the path.
pub(crate) fn narrow<T: TryFrom<i64>>(value: i64, at: &At<'_>) -> Result<T, ShapeError> {
    T::try_from(value).map_err(|_| at.bad(format!("{value} is out of range")))
}

/// Parses a vocabulary word read from a document.
pub(crate) fn word<V>(
    text: &str,
    at: &At<'_>,
    parse: impl Fn(&str) -> Option<V>,
) -> Result<V, ShapeError> {
    parse(text).ok_or_else(|| at.bad(format!("{text:?} is not a known value")))
}

/// The set at `obj[key]`: a map whose keys with value `true` are the members.
/// Absent means empty; `false` or null values are not members.
pub(crate) fn set<D: ReadDoc + ?Sized>(
    doc: &D,
    obj: &ObjId,
    key: &str,
    at: &At<'_>,
) -> Result<BTreeSet<String>, ShapeError> {
    let Some(map) = opt_map(doc, obj, key, at)? else {
        return Ok(BTreeSet::new());
    };
    let mut out = BTreeSet::new();
    for k in doc.keys(&map) {
        match get(doc, &map, &k)? {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Boolean(true) => {
                    out.insert(k);
                }
                ScalarValue::Boolean(false) | ScalarValue::Null => {}
                _ => return Err(at.child(&k).wrong("true", &Value::Scalar(s))),
            },
            Some((other, _)) => return Err(at.child(&k).wrong("true", &other)),
            None => {}
        }
    }
    Ok(out)
}

/// Keys of the map `obj`, in automerge's (sorted) order.
pub(crate) fn keys<D: ReadDoc + ?Sized>(doc: &D, obj: &ObjId) -> Vec<String> {
    doc.keys(obj).collect()
}

/// Reads the map's entries as `id → map` pairs, checking each id.
pub(crate) fn entries<D, K, E>(
    doc: &D,
    obj: &ObjId,
    at: &At<'_>,
    make_id: impl Fn(String) -> Result<K, E>,
) -> Result<Vec<(K, ObjId, String)>, ShapeError>
where
    D: ReadDoc + ?Sized,
    E: std::fmt::Display,
{
    let mut out = Vec::new();
    for key in keys(doc, obj) {
        let child_at = at.child(&key);
        let Some(child) = opt_map(doc, obj, &key, &child_at)? else {
            continue;
        };
        let id = make_id(key.clone()).map_err(|e| child_at.bad(e.to_string()))?;
        out.push((id, child, key));
    }
    Ok(out)
}

// ---- writes -------------------------------------------------------------

/// Is the visible value at `obj[key]` already `new`?
fn visible_equals<T: Transactable + ?Sized>(
    tx: &T,
    obj: &ObjId,
    key: &str,
    new: &ScalarValue,
) -> Result<bool, WriteError> {
    Ok(match tx.get(obj, key)? {
        None => false,
        Some((Value::Scalar(old), _)) => match (old.as_ref(), new) {
            (a, ScalarValue::Int(b)) => scalar_i64(a) == Some(*b),
            (a, b) => a == b,
        },
        Some((Value::Object(ObjType::Text), id)) => match new {
            ScalarValue::Str(s) => tx.text(&id)? == s.as_str(),
            _ => false,
        },
        Some(_) => false,
    })
}

/// Writes `value` at `obj[key]` unless it is already the visible value.
pub(crate) fn put_scalar<T: Transactable + ?Sized>(
    tx: &mut T,
    obj: &ObjId,
    key: &str,
    value: ScalarValue,
) -> Result<(), WriteError> {
    if !visible_equals(tx, obj, key, &value)? {
        tx.put(obj, key, value)?;
    }
    Ok(())
}

/// Writes a string unless it is already the visible value.
pub(crate) fn put_str<T: Transactable + ?Sized>(
    tx: &mut T,
    obj: &ObjId,
    key: &str,
    value: &str,
) -> Result<(), WriteError> {
    put_scalar(tx, obj, key, ScalarValue::Str(value.into()))
}

/// Writes an integer unless it is already the visible value.
pub(crate) fn put_i64<T: Transactable + ?Sized>(
    tx: &mut T,
    obj: &ObjId,
    key: &str,
    value: i64,
) -> Result<(), WriteError> {
    put_scalar(tx, obj, key, ScalarValue::Int(value))
}

/// Writes a string, or deletes the key for `None`.
pub(crate) fn put_opt_str<T: Transactable + ?Sized>(
    tx: &mut T,
    obj: &ObjId,
    key: &str,
    value: Option<&str>,
) -> Result<(), WriteError> {
    match value {
        Some(v) => put_str(tx, obj, key, v),
        None => delete(tx, obj, key),
    }
}

/// Writes an integer, or deletes the key for `None`.
pub(crate) fn put_opt_i64<T: Transactable + ?Sized>(
    tx: &mut T,
    obj: &ObjId,
    key: &str,
    value: Option<i64>,
) -> Result<(), WriteError> {
    match value {
        Some(v) => put_i64(tx, obj, key, v),
        None => delete(tx, obj, key),
    }
}

/// Deletes `obj[key]` if anything is there.
pub(crate) fn delete<T: Transactable + ?Sized>(
    tx: &mut T,
    obj: &ObjId,
    key: &str,
) -> Result<(), WriteError> {
    if tx.get(obj, key)?.is_some() {
        tx.delete(obj, key)?;
    }
    Ok(())
}

/// The map at `obj[key]`, created when absent.
pub(crate) fn ensure_map<T: Transactable + ?Sized>(
    tx: &mut T,
    obj: &ObjId,
    key: &str,
    at: &At<'_>,
) -> Result<ObjId, WriteError> {
    match opt_map(tx, obj, key, at)? {
        Some(id) => Ok(id),
        None => Ok(tx.put_object(obj, key, ObjType::Map)?),
    }
}

/// The list at `obj[key]`, created when absent.
pub(crate) fn ensure_list<T: Transactable + ?Sized>(
    tx: &mut T,
    obj: &ObjId,
    key: &str,
    at: &At<'_>,
) -> Result<ObjId, WriteError> {
    match opt_list(tx, obj, key, at)? {
        Some(id) => Ok(id),
        None => Ok(tx.put_object(obj, key, ObjType::List)?),
    }
}

/// Makes the set at `obj[key]` hold exactly `members`: adds missing keys,
/// deletes extra ones, leaves the rest untouched (so concurrent additions of
/// other members merge).
pub(crate) fn put_set<T: Transactable + ?Sized>(
    tx: &mut T,
    obj: &ObjId,
    key: &str,
    members: &BTreeSet<String>,
    at: &At<'_>,
) -> Result<(), WriteError> {
    let current = set(tx, obj, key, at)?;
    let map = ensure_map(tx, obj, key, at)?;
    for extra in current.difference(members) {
        tx.delete(&map, extra.as_str())?;
    }
    for m in members {
        put_scalar(tx, &map, m, ScalarValue::Boolean(true))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{AutoCommit, ROOT};

    #[test]
    fn rewriting_the_same_values_adds_no_operation() {
        let mut doc = AutoCommit::new();
        put_str(&mut doc, &ROOT, "name", "王伟").unwrap();
        put_i64(&mut doc, &ROOT, "year", 1950).unwrap();
        let tags: BTreeSet<String> = ["a".to_owned(), "b".to_owned()].into();
        put_set(&mut doc, &ROOT, "tags", &tags, &At::ROOT).unwrap();
        doc.commit();
        put_str(&mut doc, &ROOT, "name", "王伟").unwrap();
        put_i64(&mut doc, &ROOT, "year", 1950).unwrap();
        put_set(&mut doc, &ROOT, "tags", &tags, &At::ROOT).unwrap();
        put_opt_str(&mut doc, &ROOT, "absent", None).unwrap();
        assert_eq!(doc.pending_ops(), 0);
        assert!(doc.commit().is_none());
    }

    #[test]
    fn writing_the_winning_value_keeps_a_conflict() {
        let mut a = AutoCommit::new();
        put_str(&mut a, &ROOT, "phone", "1").unwrap();
        a.commit();
        let mut b = a.fork();
        put_str(&mut a, &ROOT, "phone", "2").unwrap();
        put_str(&mut b, &ROOT, "phone", "3").unwrap();
        a.merge(&mut b).unwrap();
        let winner = opt_str(&a, &ROOT, "phone", &At::ROOT).unwrap().unwrap();
        put_str(&mut a, &ROOT, "phone", &winner).unwrap();
        assert_eq!(a.get_all(&ROOT, "phone").unwrap().len(), 2);
    }

    #[test]
    fn a_raw_put_of_the_winning_value_would_resolve_the_conflict() {
        // Why writes compare first (and why autosurgeon's reconcile, which
        // puts every scalar, is not used): automerge turns a put of the
        // visible value into a deletion of the concurrent ones.
        let mut a = AutoCommit::new();
        let mut b = a.fork();
        a.put(&ROOT, "phone", "2").unwrap();
        b.put(&ROOT, "phone", "3").unwrap();
        a.merge(&mut b).unwrap();
        let winner = opt_str(&a, &ROOT, "phone", &At::ROOT).unwrap().unwrap();
        a.put(&ROOT, "phone", winner.as_str()).unwrap();
        assert_eq!(a.get_all(&ROOT, "phone").unwrap().len(), 1);
    }

    #[test]
    fn set_writes_only_the_difference() {
        let mut doc = AutoCommit::new();
        let ab: BTreeSet<String> = ["a".to_owned(), "b".to_owned()].into();
        let bc: BTreeSet<String> = ["b".to_owned(), "c".to_owned()].into();
        put_set(&mut doc, &ROOT, "s", &ab, &At::ROOT).unwrap();
        doc.commit();
        put_set(&mut doc, &ROOT, "s", &bc, &At::ROOT).unwrap();
        assert_eq!(doc.pending_ops(), 2);
        assert_eq!(set(&doc, &ROOT, "s", &At::ROOT).unwrap(), bc);
    }

    #[test]
    fn text_objects_read_as_strings() {
        let mut doc = AutoCommit::new();
        let t = doc.put_object(&ROOT, "title", ObjType::Text).unwrap();
        doc.splice_text(&t, 0, 0, "修水管").unwrap();
        assert_eq!(req_str(&doc, &ROOT, "title", &At::ROOT).unwrap(), "修水管");
        put_str(&mut doc, &ROOT, "title", "修水管").unwrap();
        doc.commit();
        put_str(&mut doc, &ROOT, "title", "修水管").unwrap();
        assert_eq!(doc.pending_ops(), 0);
    }

    #[test]
    fn wrong_types_name_their_path() {
        let mut doc = AutoCommit::new();
        doc.put(&ROOT, "year", "nineteen").unwrap();
        let root = At::ROOT;
        let at = root.child("year");
        let err = req_i64(&doc, &ROOT, "year", &at).unwrap_err();
        assert_eq!(
            err.to_string(),
            "year: expected an integer, found the string \"nineteen\""
        );
    }
}
