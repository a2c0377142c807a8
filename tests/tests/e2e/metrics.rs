//! The relay's Prometheus metrics, scraped from the real binary's metrics
//! listener: they move when a peer syncs an edit, a refused write is counted
//! under its reason, and `/metrics` is never served beside the websocket.

use automerge::ROOT;
use automerge::transaction::Transactable;
use linli_protocol::{DocSync, DocumentId, Message};
use tempfile::TempDir;

use super::access_matrix::{forced_push, published_street};
use super::auth::{upgrade_status, with_token};
use super::raw_peer::{Got, RawPeer, wanted_doc};
use super::relay_process::RelayProcess;

/// `GET path` over plain HTTP: the status and the body.
fn http_get(addr: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, body.to_owned())
}

pub fn scrape(relay: &RelayProcess) -> String {
    let addr = relay.metrics_addr.as_deref().expect("a metrics listener");
    let (status, body) = http_get(addr, "/metrics");
    assert_eq!(status, 200, "{body}");
    body
}

/// The sum of every series whose name and labels start with `series`
/// (0 when there is none yet).
pub fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#') && l.starts_with(series))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}

#[tokio::test]
async fn counters_move_when_a_peer_syncs_an_edit_and_a_read_only_write_is_counted_as_refused() {
    let dir = TempDir::new().unwrap();
    let ids: [DocumentId; 8] = std::array::from_fn(|_| DocumentId::random(&mut rand::rng()));
    let relay = RelayProcess::start_with(dir.path(), &["--directory", &ids[0].url()]);

    let before = scrape(&relay);
    assert!(
        before.contains("# TYPE linli_changes_stored counter"),
        "{before}"
    );
    assert_eq!(value(&before, "linli_changes_stored_total"), 0.0);
    assert_eq!(value(&before, "linli_messages_received_total"), 0.0);

    // The street admin publishes the street; the office stays connected.
    published_street(&relay, &ids).await;
    let mut office = RawPeer::join(&relay.url, "office").await;
    let mut note = DocSync::new(
        DocumentId::random(&mut rand::rng()),
        "office".into(),
        super::access_matrix::doc_with("note", "water off on Tuesday"),
    );
    assert_eq!(office.sync_doc(&mut note).await, Some("sync"));

    let after = scrape(&relay);
    assert_eq!(
        value(&after, r#"linli_connections_open{role="street-admin"}"#),
        1.0,
        "{after}"
    );
    assert!(
        value(&after, "linli_changes_stored_total") >= 9.0,
        "{after}"
    );
    assert!(value(&after, r#"linli_messages_received_total{type="#) >= 9.0);
    assert!(value(&after, r#"linli_bytes_received_total{type="#) > 0.0);
    assert!(value(&after, r#"linli_messages_sent_total{type="sync"}"#) >= 1.0);
    assert!(value(&after, "linli_store_seconds_count") >= 9.0, "{after}");
    assert!(value(&after, "linli_documents_loaded") >= 1.0, "{after}");

    // A viewer may read the directory, never write it.
    let viewer = relay.create_token("viewer", "community:c1", "viewer");
    let mut peer = RawPeer::join(&with_token(&relay, &viewer), "viewer-phone").await;
    let mut copy = wanted_doc("viewer-phone", ids[0]);
    assert_eq!(peer.sync_doc(&mut copy).await, Some("sync"));
    let heads = copy.heads();
    let mut tx = copy.doc_mut().transaction();
    tx.put(ROOT, "tampered", "viewer").unwrap();
    tx.commit();
    peer.send(&forced_push(&peer, ids[0], copy.doc(), &heads))
        .await;
    assert!(matches!(
        peer.recv().await,
        Got::Message(Message::Error { .. })
    ));
    // A wrong token is refused before the upgrade.
    let refused = upgrade_status(&relay.bare_url, Some("not-a-token")).await;
    assert_eq!(refused.as_u16(), 401);

    let refusals = scrape(&relay);
    assert_eq!(
        value(&refusals, r#"linli_refusals_total{reason="read_only"}"#),
        1.0,
        "{refusals}"
    );
    assert_eq!(
        value(&refusals, r#"linli_refusals_total{reason="auth"}"#),
        1.0,
        "{refusals}"
    );
    assert_eq!(
        value(&refusals, "linli_changes_stored_total"),
        value(&after, "linli_changes_stored_total"),
        "the refused change was not stored"
    );
}

#[tokio::test]
async fn metrics_are_not_served_beside_the_websocket() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    assert!(scrape(&relay).contains("linli_changes_stored_total"));
    let (_, body) = http_get(&relay.addr(), "/metrics");
    assert!(
        !body.contains("linli_"),
        "the websocket listener served metrics: {body}"
    );
}

#[tokio::test]
async fn two_relays_keep_their_own_numbers() {
    let (a_dir, b_dir) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let a = RelayProcess::start(a_dir.path());
    let b = RelayProcess::start(b_dir.path());
    assert_ne!(a.metrics_addr, b.metrics_addr);
    let mut peer = RawPeer::join(&a.url, "office").await;
    let mut doc = super::raw_peer::new_doc("office", "k", "v");
    assert_eq!(peer.sync_doc(&mut doc).await, Some("sync"));
    assert!(value(&scrape(&a), "linli_changes_stored_total") >= 1.0);
    assert_eq!(value(&scrape(&b), "linli_changes_stored_total"), 0.0);
}

/// Every relay figure the operator's alert rules (docs/ops) name is one
/// the relay exports, so no alert watches a series that never exists.
/// (`linli_backup_*` is written by the backup service, not the relay.) A
/// family with labels is listed once it has a series, so one sign-in is
/// refused first.
#[tokio::test]
async fn every_relay_metric_the_alert_rules_name_is_exported() {
    let rules_path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/ops/prometheus-alerts.yml");
    let rules = std::fs::read_to_string(&rules_path).unwrap();
    let mut named: Vec<&str> = rules
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.len() > "linli_".len() && w.starts_with("linli_"))
        .filter(|w| !w.starts_with("linli_backup_"))
        .collect();
    named.sort();
    named.dedup();
    assert!(named.len() >= 2, "{named:?}");

    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let refused = upgrade_status(&relay.bare_url, Some("not-a-token")).await;
    assert_eq!(refused.as_u16(), 401);
    let text = scrape(&relay);
    for name in named {
        let family = ["_total", "_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix))
            .unwrap_or(name);
        assert!(
            text.contains(&format!("# TYPE {family} ")),
            "the alert rules name {name}, which the relay does not export:\n{text}"
        );
    }
}
