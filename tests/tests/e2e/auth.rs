//! Tokens at the websocket upgrade, revocation on live connections, and the
//! audit log.

use std::time::Instant;

use automerge::ROOT;
use automerge::transaction::Transactable;
use tempfile::TempDir;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::StatusCode;

use super::raw_peer::{Got, RawPeer, new_doc};
use super::relay_process::{PATIENCE, RelayProcess, admin};

/// The HTTP status a websocket upgrade to `url` gets.
pub async fn upgrade_status(url: &str, bearer: Option<&str>) -> StatusCode {
    let mut request = url.into_client_request().unwrap();
    if let Some(t) = bearer {
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {t}").parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((_, response)) => response.status(),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status(),
        Err(e) => panic!("unexpected connect error {e}"),
    }
}

pub fn with_token(relay: &RelayProcess, token: &str) -> String {
    format!("{}?token={token}", relay.bare_url)
}

#[tokio::test]
async fn missing_or_wrong_token_is_refused_before_the_upgrade() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    assert_eq!(
        upgrade_status(&relay.bare_url, None).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        upgrade_status(&with_token(&relay, "linli_wrong"), None).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        upgrade_status(&relay.bare_url, Some("linli_wrong")).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        upgrade_status(&relay.bare_url, Some(&relay.admin_token)).await,
        StatusCode::SWITCHING_PROTOCOLS
    );
    assert_eq!(
        upgrade_status(&relay.url, None).await,
        StatusCode::SWITCHING_PROTOCOLS
    );
}

#[tokio::test]
async fn first_admin_token_file_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let mode = std::fs::metadata(relay.data.join("admin-token"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o077,
        0,
        "admin-token must not be readable by others"
    );
    let db_mode = std::fs::metadata(relay.data.join("relay.sqlite"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(db_mode & 0o077, 0, "relay.sqlite must be owner-only");
}

#[tokio::test]
async fn revoking_a_token_closes_its_live_connections_and_bars_it() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let secret = relay
        .create_token("street-admin", "", "laptop-7")
        .trim()
        .to_owned();
    let mut peer = RawPeer::join(&with_token(&relay, &secret), "laptop-7").await;
    let listed = admin(&relay.data, &["token", "list"]);
    assert!(listed.contains("laptop-7") && !listed.contains(&secret));

    let revoked_at = Instant::now();
    admin(&relay.data, &["token", "revoke", "laptop-7"]);
    loop {
        match peer.recv().await {
            Got::Closed => break,
            Got::Message(_) | Got::Other(_) => continue,
        }
    }
    println!(
        "revocation closed the live connection after {:?}",
        revoked_at.elapsed()
    );
    assert_eq!(
        upgrade_status(&with_token(&relay, &secret), None).await,
        StatusCode::UNAUTHORIZED
    );
    // Other tokens are unaffected.
    let mut admin_peer = RawPeer::join(&relay.url, "admin").await;
    let mut doc = new_doc("admin", "k", "v");
    assert_eq!(admin_peer.sync_doc(&mut doc).await, Some("sync"));
}

#[tokio::test]
async fn audit_log_names_the_token_behind_every_stored_change() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let secret = relay
        .create_token("street-admin", "", "wang-laptop")
        .trim()
        .to_owned();
    let mut peer = RawPeer::join(&with_token(&relay, &secret), "wang").await;
    let mut doc = new_doc("wang", "k", "v0");
    peer.sync_doc(&mut doc).await;
    for i in 1..3 {
        let mut tx = doc.doc_mut().transaction();
        tx.put(ROOT, "k", format!("v{i}")).unwrap();
        tx.commit();
        peer.sync_doc(&mut doc).await;
    }
    let url = doc.document_id().url();
    let log = admin(&relay.data, &["audit", "--doc", &url]);
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 3, "one entry per stored change: {log}");
    for change in doc.doc().get_changes(&[]) {
        let hash = change.hash().to_string();
        assert!(
            lines
                .iter()
                .any(|l| l.contains(&hash) && l.contains("wang-laptop")),
            "change {hash} missing from the audit log"
        );
    }
    let _ = PATIENCE;
}

#[tokio::test]
async fn history_shows_who_changed_a_field_with_the_relays_token_names() {
    use linli_client::automerge::transaction::Transactable as _;
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let secret = relay
        .create_token("street-admin", "", "wang-laptop")
        .trim()
        .to_owned();
    let url = with_token(&relay, &secret);
    let home = TempDir::new().unwrap();
    let wang = linli_client::Client::open(home.path()).unwrap();
    wang.set_author(Some("head-wang"));
    let doc = wang.create().unwrap();
    for phone in ["138-0000-0001", "139-0000-0002"] {
        wang.change(doc, |tx| {
            let hh = tx.put_object(ROOT, "households", automerge::ObjType::Map)?;
            let h1 = tx.put_object(&hh, "h1", automerge::ObjType::Map)?;
            tx.put(&h1, "phone", phone)?;
            Ok(())
        })
        .unwrap();
    }
    super::client_sync::sync(&wang, &url).await;

    let history = wang.history(doc, "households/h1/phone").unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(history.iter().all(|e| e.this_device));
    assert!(
        history
            .iter()
            .all(|e| e.author.as_deref() == Some("head-wang"))
    );
    let names = wang.relay_audit(url.as_str(), doc).await.unwrap();
    for entry in &history {
        assert_eq!(
            names.get(&entry.change).map(String::as_str),
            Some("wang-laptop")
        );
    }
    // Another token that may not read the document learns nothing.
    let outsider = relay.create_token("viewer", "community:elsewhere", "outsider");
    let refused = wang
        .relay_audit(with_token(&relay, outsider.trim()).as_str(), doc)
        .await;
    assert!(refused.is_err());
}

#[tokio::test]
async fn narrowing_a_tokens_scope_closes_its_connections_and_narrows_what_it_sees() {
    let dir = TempDir::new().unwrap();
    let ids: [linli_protocol::DocumentId; 8] =
        std::array::from_fn(|_| linli_protocol::DocumentId::random(&mut rand::rng()));
    let relay = RelayProcess::start_with(dir.path(), &["--directory", &ids[0].url()]);
    super::access_matrix::published_street(&relay, &ids).await;
    let secret = relay
        .create_token("grid-worker", "building:b1,building:b2", "grid-7")
        .trim()
        .to_owned();
    let url = with_token(&relay, &secret);
    let mut peer = RawPeer::join(&url, "grid-7").await;
    let mut b2 = super::raw_peer::wanted_doc("grid-7", ids[2]);
    assert_eq!(peer.sync_doc(&mut b2).await, Some("sync"));

    admin(&relay.data, &["token", "scope", "grid-7", "building:b1"]);
    loop {
        match peer.recv().await {
            Got::Closed => break,
            Got::Message(_) | Got::Other(_) => continue,
        }
    }
    let mut again = RawPeer::join(&url, "grid-7").await;
    let mut b2 = super::raw_peer::wanted_doc("grid-7", ids[2]);
    assert_eq!(again.sync_doc(&mut b2).await, Some("doc-unavailable"));
    let mut b1 = super::raw_peer::wanted_doc("grid-7", ids[1]);
    assert_eq!(again.sync_doc(&mut b1).await, Some("sync"));
}
