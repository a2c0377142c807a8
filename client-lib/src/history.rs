//! Who changed which field of a document, and when: read from the
//! document's own history, with the relay's audit log (which token stored
//! each change) added where the relay can be asked.

use std::collections::HashMap;
use std::time::{Duration, UNIX_EPOCH};

use automerge::{Automerge, Prop};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{Client, ClientError, DocumentId, IntoRelayTarget};

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

impl Client {
    /// The history of `doc` (see [`history_of`]).
    pub fn history(&self, doc: DocumentId, prefix: &str) -> Result<Vec<HistoryEntry>, ClientError> {
        let device = self.device_prefix();
        self.read(doc, |d| history_of(d, &device, prefix))
    }

    /// Asks the relay which token stored each change of `doc`: change hash
    /// → token name. Needs a token that may read the document.
    pub async fn relay_audit(
        &self,
        relay: impl IntoRelayTarget,
        doc: DocumentId,
    ) -> Result<HashMap<String, String>, ClientError> {
        let target = relay.into_relay_target()?;
        let body = http_get(target.url(), &format!("/audit?doc={doc}"), target.token())
            .await
            .map_err(|reason| ClientError::Connect {
                url: target.display_url(),
                reason,
            })?;
        let lines: Vec<AuditLine> =
            serde_json::from_str(&body).map_err(|e| ClientError::Connect {
                url: target.display_url(),
                reason: format!("the relay's audit answer is not JSON: {e}"),
            })?;
        Ok(lines.into_iter().map(|l| (l.change, l.token)).collect())
    }
}

#[derive(serde::Deserialize)]
struct AuditLine {
    change: String,
    token: String,
}

/// A minimal HTTP/1.0 GET on the relay's host (plain for ws://, TLS for
/// wss://); returns the body of a 200 answer.
async fn http_get(ws_url: &str, path: &str, token: Option<&str>) -> Result<String, String> {
    let (tls, rest) = if let Some(r) = ws_url.strip_prefix("wss://") {
        (true, r)
    } else if let Some(r) = ws_url.strip_prefix("ws://") {
        (false, r)
    } else {
        return Err("not a ws:// or wss:// URL".into());
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    let address = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:{}", if tls { 443 } else { 80 })
    };
    // A token given in the URL (`?token=`) goes along the same way.
    let path = match rest.split_once('?') {
        Some((_, query)) if !query.is_empty() => format!("{path}&{query}"),
        _ => path.to_owned(),
    };
    let mut request = format!("GET {path} HTTP/1.0\r\nHost: {authority}\r\n");
    if let Some(t) = token {
        request.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    request.push_str("\r\n");
    let io = async {
        let tcp = tokio::net::TcpStream::connect(&address)
            .await
            .map_err(|e| format!("cannot reach the relay: {e}"))?;
        let mut raw = Vec::new();
        if tls {
            let connector = native_tls::TlsConnector::new().map_err(|e| e.to_string())?;
            let connector = tokio_native_tls::TlsConnector::from(connector);
            let mut stream = connector
                .connect(host, tcp)
                .await
                .map_err(|e| format!("TLS with the relay failed: {e}"))?;
            stream
                .write_all(request.as_bytes())
                .await
                .map_err(|e| e.to_string())?;
            stream
                .read_to_end(&mut raw)
                .await
                .map_err(|e| e.to_string())?;
        } else {
            let mut stream = tcp;
            stream
                .write_all(request.as_bytes())
                .await
                .map_err(|e| e.to_string())?;
            stream
                .read_to_end(&mut raw)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok::<_, String>(raw)
    };
    let raw = tokio::time::timeout(Duration::from_secs(30), io)
        .await
        .map_err(|_| "the relay did not answer in time".to_owned())??;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).unwrap_or("?");
    if status != "200" {
        return Err(format!("the relay answered HTTP {status}"));
    }
    Ok(body.to_owned())
}

/// Milliseconds since the epoch as a UTC timestamp text.
pub fn format_time(ms: i64) -> String {
    let t = UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64);
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = secs / 86_400;
    let (h, m, s) = ((secs % 86_400) / 3600, (secs % 3600) / 60, secs % 60);
    let (y, mo, d) = civil_from_days(days as i64);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{m:02}:{s:02}Z")
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
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

    #[test]
    fn times_print_as_utc() {
        assert_eq!(format_time(0), "1970-01-01 00:00:00Z");
        assert_eq!(format_time(1_795_000_000_000), "2026-11-18 11:06:40Z");
    }
}
