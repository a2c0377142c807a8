//! automerge ⇄ JSON, the one converter: for showing documents (`linli doc
//! show`), for conflicting values ([`crate::conflicts`]) and for writing
//! values given as JSON (`linli doc set`, `linli resolve --value`).
//!
//! Reading ([`to_json`], [`object_to_json`], [`value_to_json`]):
//! - maps become objects, lists arrays, text objects strings;
//! - strings, integers, floats, booleans and null map to their JSON kind;
//!   counters and timestamps become numbers, bytes an array of numbers;
//! - a conflicted field shows automerge's winning value (conflicts are listed
//!   by record code, not here); floats that JSON cannot hold become null.
//!
//! Writing ([`assign`], [`set_path`]):
//! - objects become maps, arrays lists, strings plain string scalars (a
//!   field replaced as a whole, which is what names and phone numbers want),
//!   numbers an `Int` when they fit an i64, a `Uint` when they fit only a
//!   u64, and an `F64` otherwise ([`json_to_scalar`]);
//! - assigning an object over an existing map updates that map in place (keys
//!   set, missing keys deleted) instead of replacing it, so another device's
//!   concurrent edits to the same map still merge; unchanged scalars are not
//!   rewritten, so re-setting a value produces no change at all.
//!
//! [`json_to_hydrate`] builds the same values as a detached
//! [`hydrate::Value`], for writing a whole value in one step.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, Prop, ROOT, ReadDoc, ScalarValue, Value, hydrate};
use serde_json::{Map, Number, Value as Json};

/// Why a JSON value could not be written where it was asked to go.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// A path segment names something that is not a map.
    #[error("path {path:?}: {at:?} is a {found}, not a map, so it has no keys")]
    NotAMap {
        path: String,
        at: String,
        found: &'static str,
    },
    /// The path has an empty segment (`a//b`), or is empty while the value
    /// is not an object.
    #[error("invalid path {path:?}: {reason}")]
    BadPath { path: String, reason: &'static str },
    /// automerge refused an operation.
    #[error("automerge: {0}")]
    Automerge(String),
}

impl From<automerge::AutomergeError> for JsonError {
    fn from(e: automerge::AutomergeError) -> Self {
        JsonError::Automerge(e.to_string())
    }
}

/// The whole document as JSON (its root map).
pub fn to_json<D: ReadDoc + ?Sized>(doc: &D) -> Json {
    object_to_json(doc, &ROOT)
}

/// One object of the document as JSON. An id that is not an object gives
/// `null`.
pub fn object_to_json<D: ReadDoc + ?Sized>(doc: &D, obj: &ObjId) -> Json {
    match doc.object_type(obj) {
        Ok(ObjType::Map) | Ok(ObjType::Table) => {
            let mut out = Map::new();
            for key in doc.keys(obj) {
                if let Ok(Some((value, id))) = doc.get(obj, key.as_str()) {
                    out.insert(key, value_to_json(doc, &value, &id));
                }
            }
            Json::Object(out)
        }
        Ok(ObjType::List) => {
            let len = doc.length(obj);
            let items = (0..len)
                .filter_map(|i| match doc.get(obj, i) {
                    Ok(Some((value, id))) => Some(value_to_json(doc, &value, &id)),
                    _ => None,
                })
                .collect();
            Json::Array(items)
        }
        Ok(ObjType::Text) => Json::String(doc.text(obj).unwrap_or_default()),
        Err(_) => Json::Null,
    }
}

/// A value read from the document (`doc.get(obj, prop)` gives both
/// `value` and its `id`) as JSON: a scalar as itself, an object whole.
pub fn value_to_json<D: ReadDoc + ?Sized>(doc: &D, value: &Value<'_>, id: &ObjId) -> Json {
    match value {
        Value::Object(_) => object_to_json(doc, id),
        Value::Scalar(s) => scalar_to_json(s),
    }
}

/// A scalar as JSON.
pub fn scalar_to_json(s: &ScalarValue) -> Json {
    match s {
        ScalarValue::Str(s) => Json::String(s.to_string()),
        ScalarValue::Int(i) => Json::from(*i),
        ScalarValue::Uint(u) => Json::from(*u),
        ScalarValue::F64(f) => Number::from_f64(*f).map_or(Json::Null, Json::Number),
        ScalarValue::Counter(c) => Json::from(i64::from(c)),
        ScalarValue::Timestamp(t) => Json::from(*t),
        ScalarValue::Boolean(b) => Json::Bool(*b),
        ScalarValue::Bytes(b) => Json::Array(b.iter().map(|x| Json::from(*x)).collect()),
        ScalarValue::Null | ScalarValue::Unknown { .. } => Json::Null,
    }
}

/// A JSON scalar as an automerge scalar; `None` for arrays and objects.
pub fn json_to_scalar(value: &Json) -> Option<ScalarValue> {
    Some(match value {
        Json::Null => ScalarValue::Null,
        Json::Bool(b) => ScalarValue::Boolean(*b),
        Json::String(s) => ScalarValue::Str(s.as_str().into()),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                ScalarValue::Int(i)
            } else if let Some(u) = n.as_u64() {
                ScalarValue::Uint(u)
            } else {
                ScalarValue::F64(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Json::Array(_) | Json::Object(_) => return None,
    })
}

/// A JSON value as a detached automerge value, by the same rules as
/// [`assign`]: objects become maps, arrays lists, scalars
/// [`json_to_scalar`].
pub fn json_to_hydrate(value: &Json) -> hydrate::Value {
    match value {
        Json::Array(items) => {
            hydrate::Value::from(items.iter().map(json_to_hydrate).collect::<Vec<_>>())
        }
        Json::Object(fields) => {
            let map: std::collections::HashMap<String, hydrate::Value> = fields
                .iter()
                .map(|(k, v)| (k.clone(), json_to_hydrate(v)))
                .collect();
            hydrate::Value::from(hydrate::Map::from(map))
        }
        scalar => hydrate::Value::Scalar(json_to_scalar(scalar).unwrap_or(ScalarValue::Null)),
    }
}

/// Splits a slash-separated path of map keys (`households/h1/phone`).
/// Leading and trailing slashes are ignored; `""` and `"/"` are the root.
pub fn parse_path(path: &str) -> Result<Vec<String>, JsonError> {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    trimmed
        .split('/')
        .map(|seg| {
            if seg.is_empty() {
                Err(JsonError::BadPath {
                    path: path.to_owned(),
                    reason: "it has an empty segment (two slashes in a row)",
                })
            } else {
                Ok(seg.to_owned())
            }
        })
        .collect()
}

/// Writes `value` at `path` (map keys from the root), creating missing
/// intermediate maps. An empty path assigns an object's keys to the root.
pub fn set_path<T: Transactable>(
    tx: &mut T,
    path: &[String],
    value: &Json,
) -> Result<(), JsonError> {
    let display = || path.join("/");
    let Some((last, parents)) = path.split_last() else {
        return match value {
            Json::Object(_) => assign_map(tx, &ROOT, value),
            _ => Err(JsonError::BadPath {
                path: String::new(),
                reason: "only an object can be set at the document root",
            }),
        };
    };
    let mut obj = ROOT;
    for key in parents {
        obj = match tx.get(&obj, key.as_str())? {
            Some((Value::Object(ObjType::Map | ObjType::Table), id)) => id,
            Some((other, _)) => {
                return Err(JsonError::NotAMap {
                    path: display(),
                    at: key.clone(),
                    found: kind_name(&other),
                });
            }
            None => tx.put_object(&obj, key.as_str(), ObjType::Map)?,
        };
    }
    assign(tx, &obj, last.as_str(), value)
}

/// Writes `value` under `prop` of `obj` (a map key or a list index that
/// exists), with the in-place rules in the module docs.
pub fn assign<T, P>(tx: &mut T, obj: &ObjId, prop: P, value: &Json) -> Result<(), JsonError>
where
    T: Transactable,
    P: Into<Prop>,
{
    let prop = prop.into();
    let existing = tx.get(obj, prop.clone())?;
    match (value, existing) {
        (Json::Object(_), Some((Value::Object(ObjType::Map | ObjType::Table), id))) => {
            assign_map(tx, &id, value)
        }
        (Json::Object(_), _) => {
            let id = tx.put_object(obj, prop, ObjType::Map)?;
            assign_map(tx, &id, value)
        }
        (Json::Array(items), _) => {
            let id = tx.put_object(obj, prop, ObjType::List)?;
            fill_list(tx, &id, items)
        }
        (scalar, existing) => {
            let Some(new) = json_to_scalar(scalar) else {
                return Ok(());
            };
            if let Some((Value::Scalar(old), _)) = &existing
                && old.as_ref() == &new
            {
                return Ok(());
            }
            tx.put(obj, prop, new)?;
            Ok(())
        }
    }
}

/// Makes the map `map` hold exactly the keys of the JSON object `value`.
fn assign_map<T: Transactable>(tx: &mut T, map: &ObjId, value: &Json) -> Result<(), JsonError> {
    let Json::Object(fields) = value else {
        return Ok(());
    };
    let stale: Vec<String> = tx.keys(map).filter(|k| !fields.contains_key(k)).collect();
    for key in stale {
        tx.delete(map, key.as_str())?;
    }
    for (key, field) in fields {
        assign(tx, map, key.as_str(), field)?;
    }
    Ok(())
}

fn fill_list<T: Transactable>(tx: &mut T, list: &ObjId, items: &[Json]) -> Result<(), JsonError> {
    for (index, item) in items.iter().enumerate() {
        match item {
            Json::Object(_) => {
                let id = tx.insert_object(list, index, ObjType::Map)?;
                assign_map(tx, &id, item)?;
            }
            Json::Array(inner) => {
                let id = tx.insert_object(list, index, ObjType::List)?;
                fill_list(tx, &id, inner)?;
            }
            scalar => {
                if let Some(s) = json_to_scalar(scalar) {
                    tx.insert(list, index, s)?;
                }
            }
        }
    }
    Ok(())
}

fn kind_name(value: &Value<'_>) -> &'static str {
    match value {
        Value::Object(ObjType::List) => "list",
        Value::Object(ObjType::Text) => "text",
        Value::Object(_) => "map",
        Value::Scalar(_) => "plain value",
    }
}

#[cfg(test)]
mod tests;
