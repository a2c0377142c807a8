//! Fields two people changed at once, on the documents this phone holds,
//! with who wrote each value and when: what `linli conflicts` lists.

use linli_records::conflicts::list_conflicts;
use serde::Serialize;

use crate::device::Device;

/// One field with concurrent values.
#[derive(Debug, Serialize, PartialEq)]
pub struct ConflictLine {
    /// The document (automerge URL) holding the field.
    pub doc: String,
    /// Map keys from the document's root to the field.
    pub path: Vec<String>,
    /// Where it is, for people: the building, household and resident a
    /// building document's field belongs to, when they can be found.
    pub place: Option<String>,
    pub values: Vec<ValueLine>,
}

/// One of the values.
#[derive(Debug, Serialize, PartialEq)]
pub struct ValueLine {
    /// The value as text (strings as they are, anything else as JSON).
    pub text: String,
    /// Pass back to keep this value.
    pub op: String,
    /// Who wrote it (the person id the writing device signs as).
    pub author: Option<String>,
    /// When (ms), as the writer's clock said.
    pub at: Option<i64>,
    /// The value shown now.
    pub winner: bool,
}

pub fn conflicts(device: &Device) -> Vec<ConflictLine> {
    let mut out = Vec::new();
    for (id, _) in device.documents() {
        let Some(doc) = device.doc(id) else { continue };
        let Ok(list) = list_conflicts(doc) else {
            continue;
        };
        for c in list {
            out.push(ConflictLine {
                doc: id.to_string(),
                place: place(device, id, &c.path),
                path: c.path,
                values: c
                    .values
                    .into_iter()
                    .map(|v| ValueLine {
                        text: match &v.value {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        },
                        op: v.op,
                        author: v.author,
                        // linli writers commit with seconds (as automerge
                        // change times are); shown in ms like all times.
                        at: v.time.map(|s| s.saturating_mul(1000)),
                        winner: v.winner,
                    })
                    .collect(),
            });
        }
    }
    out
}

/// "1栋 1-101 牟杰永" for `households/<h>/members/<m>/…` of a building.
fn place(device: &Device, doc: &linli_protocol::DocumentId, path: &[String]) -> Option<String> {
    let b = device.building(doc)?;
    let (households, rest) = path.split_first()?;
    if households != "households" {
        return None;
    }
    let (hid, rest) = rest.split_first()?;
    let (_, hh) = b.households.iter().find(|(id, _)| id.as_str() == hid)?;
    let mut text = format!("{} {}-{}", b.building.name, hh.fields.unit, hh.fields.room);
    if let [members, mid, ..] = rest
        && members == "members"
        && let Some((_, m)) = hh.members.iter().find(|(id, _)| id.as_str() == mid)
    {
        text.push(' ');
        text.push_str(&m.name);
    }
    Some(text)
}
