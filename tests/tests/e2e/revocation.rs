//! A phone can be lost: the street office revokes its token, and every
//! client hears why. The relay closes the live connection with close code
//! 4403 "token revoked", answers `GET /api/me` with `{"error": "revoked"}`,
//! and `linli` says plainly what happened. The token never reaches the
//! relay's log.

use std::time::Duration;

use linli_client::{Client, ConnectionState, RelayTarget};
use tempfile::TempDir;
use tokio_tungstenite::tungstenite::http::StatusCode;

use super::auth::{upgrade_status, with_token};
use super::cli::{linli, ok};
use super::raw_peer::RawPeer;
use super::relay_process::{PATIENCE, RelayProcess, admin};

/// `GET path` on the relay with `Authorization: Bearer token`: the status
/// and the JSON body.
fn get_json(relay: &RelayProcess, path: &str, token: Option<&str>) -> (u16, serde_json::Value) {
    use std::io::{Read, Write};
    let addr = relay.addr();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n{auth}\r\n").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(
        head.to_ascii_lowercase()
            .contains("cache-control: no-store"),
        "{head}"
    );
    (status, serde_json::from_str(body).expect("a JSON body"))
}

#[tokio::test]
async fn a_live_connection_whose_token_is_revoked_is_closed_with_4403_token_revoked() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let secret = relay.create_token("building-head", "building:b0103", "wang-phone");
    let mut phone = RawPeer::join(&with_token(&relay, &secret), "wang-phone").await;
    // Another token's connection stays open.
    let mut office = RawPeer::join(&relay.url, "office").await;

    admin(&relay.data, &["token", "revoke", "wang-phone"]);
    assert_eq!(
        phone.recv_close().await,
        Some((4403, "token revoked".to_owned()))
    );
    let mut doc = super::raw_peer::new_doc("office", "k", "v");
    assert_eq!(office.sync_doc(&mut doc).await, Some("sync"));
}

#[tokio::test]
async fn api_me_names_a_good_token_and_says_revoked_or_unknown_for_the_others() {
    let dir = TempDir::new().unwrap();
    let directory = linli_protocol::DocumentId::random(&mut rand::rng());
    let relay = RelayProcess::start_with(dir.path(), &["--directory", &directory.url()]);
    let secret = relay.create_token("building-head", "building:b0103,building:b0104", "wang");

    let (status, me) = get_json(&relay, "/api/me", Some(&secret));
    assert_eq!(status, 200);
    assert_eq!(
        me,
        serde_json::json!({
            "name": "wang",
            "role": "building-head",
            "scope": ["building:b0103", "building:b0104"],
            "directory": directory.url(),
        })
    );

    admin(&relay.data, &["token", "revoke", "wang"]);
    assert_eq!(
        get_json(&relay, "/api/me", Some(&secret)),
        (401, serde_json::json!({ "error": "revoked" }))
    );
    assert_eq!(
        get_json(&relay, "/api/me", Some("linli_never_made")),
        (401, serde_json::json!({ "error": "unknown token" }))
    );
    assert_eq!(
        get_json(&relay, "/api/me", None),
        (401, serde_json::json!({ "error": "missing token" }))
    );
}

#[tokio::test]
async fn the_relay_never_logs_a_token_even_at_trace() {
    let dir = TempDir::new().unwrap();
    let (relay, log) = RelayProcess::start_logged(dir.path(), "trace");
    let secret = relay.create_token("building-head", "building:b1", "wang");
    // The token in a header, in a query, on /api/me, on a refused upgrade
    // and on a revoked live connection.
    let mut phone = RawPeer::join(&with_token(&relay, &secret), "wang").await;
    assert_eq!(get_json(&relay, "/api/me", Some(&secret)).0, 200);
    admin(&relay.data, &["token", "revoke", "wang"]);
    assert_eq!(phone.recv_close().await.map(|c| c.0), Some(4403));
    assert_eq!(get_json(&relay, "/api/me", Some(&secret)).0, 401);
    let refused = tokio_tungstenite::connect_async(with_token(&relay, &secret)).await;
    assert!(refused.is_err());

    let text = log.text();
    assert!(text.contains("wang"), "the log was captured: {text}");
    assert!(!text.contains(&secret), "the relay logged a token");
    assert!(
        !text.contains(&relay.admin_token),
        "the relay logged a token"
    );
}

/// Waits until the relay refuses `secret`'s websocket upgrade (it follows
/// the admin CLI's revocation within a second).
async fn until_refused(relay: &RelayProcess, secret: &str) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while upgrade_status(&with_token(relay, secret), None).await != StatusCode::UNAUTHORIZED {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the relay never refused the revoked token"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn linli_sync_with_a_revoked_token_says_so_plainly() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let secret = relay.create_token("street-admin", "", "laptop-3");
    let home = TempDir::new().unwrap();
    ok(
        home.path(),
        &["--token", &secret, "init", "--relay", &relay.bare_url],
    );
    ok(home.path(), &["doc", "new"]);
    ok(home.path(), &["sync"]);

    admin(&relay.data, &["token", "revoke", "laptop-3"]);
    until_refused(&relay, &secret).await;
    let out = linli(home.path(), &["sync", "--timeout", "60"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(
            "this device's token was revoked by the street office; ask them for a new one"
        ),
        "{err}"
    );
    assert!(!err.contains(&secret), "the token must never be printed");

    // A token that never existed is not called revoked.
    let stranger = TempDir::new().unwrap();
    ok(
        stranger.path(),
        &["--token", "linli_nope", "init", "--relay", &relay.bare_url],
    );
    ok(stranger.path(), &["doc", "new"]);
    let out = linli(stranger.path(), &["sync", "--timeout", "60"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("revoked"));
}

#[tokio::test]
async fn the_sync_loop_stops_for_good_when_its_token_is_revoked() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let secret = relay.create_token("street-admin", "", "tablet");
    let home = TempDir::new().unwrap();
    let client = Client::open(home.path()).unwrap();
    client.create().unwrap();
    let target = RelayTarget::new(&relay.bare_url)
        .unwrap()
        .with_token(secret);
    let sync = client.connect(target).unwrap();
    assert!(sync.wait_connected(PATIENCE).await, "{:?}", sync.current());

    admin(&relay.data, &["token", "revoke", "tablet"]);
    let mut state = sync.state();
    let ended = tokio::time::timeout(
        PATIENCE,
        state.wait_for(|s| matches!(s, ConnectionState::Revoked | ConnectionState::Stopped)),
    )
    .await
    .expect("the loop noticed the revocation")
    .map(|s| s.clone());
    assert_eq!(ended.ok(), Some(ConnectionState::Revoked));
    sync.stop().await;
}
