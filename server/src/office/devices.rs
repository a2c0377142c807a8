//! `GET /api/office/devices`: which tokens' devices sync. For each token,
//! its live connections, when it was last seen, and its latest stored
//! change; and the documents whose latest change arrived recently.
//!
//! "Last seen" is the later of a connection opening or closing since the
//! relay started (kept in memory) and the token's latest change in the
//! audit log (kept on disk). After a restart, a device that connected
//! without changing anything shows its latest change until it connects
//! again: older, never newer, so a silent phone is never hidden.

use std::collections::HashMap;

use linli_protocol::DocumentId;
use linli_store::{DocActivity, TokenActivity, TokenRecord};
use serde::Serialize;

use super::Street;

#[derive(Debug, Serialize)]
pub struct DeviceRow {
    pub name: String,
    pub role: String,
    pub scope: Vec<String>,
    /// Live connections now.
    pub connected: usize,
    pub last_seen: Option<i64>,
    pub last_change_at: Option<i64>,
    pub changes: u64,
}

#[derive(Debug, Serialize)]
pub struct DocRow {
    pub doc: String,
    /// What the document is, e.g. `building 1栋 (东湖社区)`.
    pub what: String,
    pub token_name: String,
    pub at: i64,
}

#[derive(Debug, Serialize)]
pub struct Devices {
    pub now: i64,
    /// Live tokens, the longest silent first.
    pub devices: Vec<DeviceRow>,
    pub recent_documents: Vec<DocRow>,
}

pub struct Inputs<'a> {
    pub tokens: &'a [TokenRecord],
    pub live: &'a HashMap<String, usize>,
    pub seen: &'a HashMap<String, i64>,
    pub activity: &'a [TokenActivity],
    pub recent: &'a [DocActivity],
    pub street: Option<&'a Street>,
    pub now: i64,
}

pub fn devices(i: Inputs<'_>) -> Devices {
    let activity: HashMap<&str, &TokenActivity> = i
        .activity
        .iter()
        .map(|a| (a.token_name.as_str(), a))
        .collect();
    let mut devices: Vec<DeviceRow> = i
        .tokens
        .iter()
        .filter(|t| t.revoked_at.is_none())
        .map(|t| {
            let a = activity.get(t.name.as_str());
            let connected = i.live.get(&t.name).copied().unwrap_or(0);
            let last_change_at = a.map(|a| a.last_change_at);
            let mut last_seen = i.seen.get(&t.name).copied().max(last_change_at);
            if connected > 0 {
                last_seen = Some(i.now);
            }
            DeviceRow {
                name: t.name.clone(),
                role: t.role.clone(),
                scope: super::tokens::scope_items(&t.scope),
                connected,
                last_seen,
                last_change_at,
                changes: a.map_or(0, |a| a.changes),
            }
        })
        .collect();
    devices.sort_by_key(|d| (d.last_seen.unwrap_or(i64::MIN), d.name.clone()));
    let names = i.street.map(doc_names).unwrap_or_default();
    Devices {
        now: i.now,
        devices,
        recent_documents: i
            .recent
            .iter()
            .map(|d| DocRow {
                doc: d.doc.url(),
                what: names
                    .get(&d.doc)
                    .cloned()
                    .unwrap_or_else(|| "document".to_owned()),
                token_name: d.token_name.clone(),
                at: d.at,
            })
            .collect(),
    }
}

/// What each document of the directory is, in words.
fn doc_names(street: &Street) -> HashMap<DocumentId, String> {
    let dir = &street.directory;
    let id = |url: &Option<linli_records::ids::DocUrl>| {
        url.as_ref()
            .and_then(|u| DocumentId::parse_id_or_url(u.as_str()).ok())
    };
    let community = |c: &linli_records::ids::CommunityId| {
        dir.communities
            .get(c)
            .map_or_else(|| c.to_string(), |c| c.name.clone())
    };
    let mut out = HashMap::new();
    for b in dir.buildings.values() {
        if let Some(d) = id(&b.doc) {
            out.insert(
                d,
                format!("building {} ({})", b.name, community(&b.community)),
            );
        }
    }
    for t in dir.teams.values() {
        if let Some(d) = id(&t.doc) {
            out.insert(d, format!("team {}", t.name));
        }
    }
    for b in dir.boards.values() {
        if let Some(d) = id(&b.doc) {
            out.insert(
                d,
                format!("task board {} {}", community(&b.community), b.period),
            );
        }
    }
    out
}
