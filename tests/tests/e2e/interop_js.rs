//! Real automerge-repo 2.5.6 JavaScript peers (tests/js) against linli-relay:
//! one creates a document, another finds it, a third changes it.
//!
//! Needs node and the packages of tests/js (`./test.sh` installs them with
//! `npm ci`). Without them the test fails and says how to install them.

use std::path::PathBuf;
use std::process::Command;

use tempfile::TempDir;

use super::relay_process::RelayProcess;

fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("js")
}

/// Fails the test, saying how to install them, when node or the
/// automerge-repo packages are missing.
fn require_js() {
    let node = Command::new("node").arg("--version").output().is_ok();
    assert!(
        node,
        "node is not installed: the JavaScript interop test needs node 20 or later and npm"
    );
    let installed = js_dir()
        .join("node_modules/@automerge/automerge-repo")
        .exists();
    assert!(
        installed,
        "the automerge-repo packages are not installed: run ./test.sh, or `npm ci` in tests/js"
    );
}

/// Runs `node peer.mjs ARGS`, returning (exit code, stdout).
fn peer(args: &[&str]) -> (i32, String) {
    let out = Command::new("node")
        .arg("peer.mjs")
        .args(args)
        .arg("--timeout=60000")
        .current_dir(js_dir())
        .output()
        .expect("run node");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
    )
}

#[test]
fn javascript_peers_create_find_and_change_through_linli_relay() {
    require_js();
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let (code, url) = peer(&[
        "create",
        &relay.url,
        r#"{"building":"3号楼","households":{"h1":{"room":"101"}}}"#,
    ]);
    assert_eq!(code, 0, "create failed");
    let url = url.lines().last().unwrap_or_default().to_owned();
    assert!(url.starts_with("automerge:"), "{url}");

    let (code, json) = peer(&["find", &relay.url, &url]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["building"], "3号楼");

    let (code, _) = peer(&["change", &relay.url, &url, "note", r#""visited""#]);
    assert_eq!(code, 0);
    let (_, json) = peer(&["find", &relay.url, &url]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["note"], "visited");
    assert_eq!(doc["households"]["h1"]["room"], "101");
}

#[test]
fn javascript_peer_is_told_an_unknown_document_is_unavailable() {
    require_js();
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let (code, _) = peer(&["find", &relay.url, "automerge:4NMNnkMhL8jXrdJ9jamS58PAVdXu"]);
    assert_eq!(code, 3, "expected exit 3 (unavailable)");
}

#[tokio::test]
async fn linli_client_reads_what_a_javascript_peer_created_and_vice_versa() {
    require_js();
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let url_for_js = relay.url.clone();
    let (code, url) = tokio::task::spawn_blocking(move || {
        peer(&["create", &url_for_js, r#"{"team":"青年突击队"}"#])
    })
    .await
    .unwrap();
    assert_eq!(code, 0);
    let url = url.lines().last().unwrap_or_default().to_owned();
    let id = linli_protocol::DocumentId::parse_id_or_url(&url).unwrap();

    let home = TempDir::new().unwrap();
    let client = linli_client::Client::open(home.path()).unwrap();
    client
        .fetch(relay.url.as_str(), id, super::relay_process::PATIENCE)
        .await
        .unwrap();
    // JavaScript writes strings as text objects; linli reads both.
    let content = client.read(id, linli_client::json::to_json).unwrap();
    assert_eq!(content["team"], "青年突击队");
    super::client_sync::put(&client, id, "leader", "李");
    super::client_sync::sync(&client, &relay.url).await;

    let relay_url = relay.url.clone();
    let (code, json) = tokio::task::spawn_blocking(move || peer(&["find", &relay_url, &url]))
        .await
        .unwrap();
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["leader"], "李");
}
