//! A document's history, folded for people: which change set or deleted
//! which fields, when, on which device and by whom. Read from the
//! document's own change graph only; where the relay can be asked, the
//! device client adds which token stored each change
//! ([`HistoryEntry::stored_by`]).

use automerge::{Automerge, Prop};
use serde::Serialize;

/// One change of a document.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// Hex change hash.
    pub change: String,
    /// When the author's device says it was made (ms since the epoch).
    pub time_ms: i64,
    /// The automerge actor (hex) that made it.
    pub actor: String,
    /// Made on this device.
    pub this_device: bool,
    /// Who made it, as the change's message says (a linli device records
    /// the person id of whoever uses it).
    pub author: Option<String>,
    /// The relay token that stored it, where the relay told us.
    pub stored_by: Option<String>,
    /// The fields it set or deleted, as slash-separated paths.
    pub fields: Vec<String>,
}

/// The history of `doc`, oldest first, keeping only changes that touch a
/// field under `prefix` (slash-separated; empty for all).
pub fn history_of(doc: &Automerge, device_prefix: &[u8], prefix: &str) -> Vec<HistoryEntry> {
    let prefix = prefix.trim_matches('/');
    let mut out = Vec::new();
    for meta in doc.get_changes_meta(&[]) {
        let mut fields: Vec<String> = doc
            .diff(&meta.deps, &[meta.hash])
            .into_iter()
            .map(|patch| {
                let mut path: Vec<String> = patch.path.iter().map(|(_, p)| prop(p)).collect();
                if let Some(leaf) = leaf(&patch.action) {
                    path.push(leaf);
                }
                path.join("/")
            })
            .filter(|f| prefix.is_empty() || f == prefix || f.starts_with(&format!("{prefix}/")))
            .collect();
        fields.sort();
        fields.dedup();
        if !prefix.is_empty() && fields.is_empty() {
            continue;
        }
        out.push(HistoryEntry {
            change: meta.hash.to_string(),
            time_ms: meta.timestamp,
            actor: meta.actor.to_hex_string(),
            this_device: meta.actor.to_bytes().starts_with(device_prefix),
            author: meta.message.as_deref().map(str::to_owned),
            stored_by: None,
            fields,
        });
    }
    out.sort_by_key(|e| e.time_ms);
    out
}

fn prop(p: &Prop) -> String {
    match p {
        Prop::Map(k) => k.clone(),
        Prop::Seq(i) => i.to_string(),
    }
}

fn leaf(action: &automerge::PatchAction) -> Option<String> {
    use automerge::PatchAction as A;
    match action {
        A::PutMap { key, .. } | A::DeleteMap { key } => Some(key.clone()),
        A::PutSeq { index, .. }
        | A::Insert { index, .. }
        | A::SpliceText { index, .. }
        | A::DeleteSeq { index, .. } => Some(index.to_string()),
        A::Increment { prop: p, .. } | A::Conflict { prop: p } => Some(prop(p)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;

    #[test]
    fn history_lists_fields_per_change_and_filters_by_path() {
        let mut doc = Automerge::new();
        doc.set_actor(automerge::ActorId::from(&[1u8, 2, 3, 4, 5, 6, 7, 8, 9][..]));
        let mut tx = doc.transaction();
        let hh = tx
            .put_object(automerge::ROOT, "households", automerge::ObjType::Map)
            .unwrap();
        let h1 = tx.put_object(&hh, "h1", automerge::ObjType::Map).unwrap();
        tx.put(&h1, "phone", "138").unwrap();
        tx.commit();
        let mut tx = doc.transaction();
        tx.put(&h1, "phone", "139").unwrap();
        tx.put(automerge::ROOT, "note", "x").unwrap();
        tx.commit();
        let all = history_of(&doc, &[1, 2, 3], "");
        assert_eq!(all.len(), 2);
        assert!(all.iter().all(|e| e.this_device));
        assert!(all[1].fields.contains(&"households/h1/phone".to_string()));
        assert!(all[1].fields.contains(&"note".to_string()));
        let phone = history_of(&doc, &[9], "households/h1/phone");
        assert_eq!(phone.len(), 2);
        assert!(!phone[0].this_device);
        assert!(history_of(&doc, &[], "nothing").is_empty());
    }
}
