//! Hostile peers: replayed tokens, stolen peer ids. The relay stays up, no
//! other peer notices, nothing is stored.

use tempfile::TempDir;
use tokio_tungstenite::tungstenite::http::StatusCode;

use super::auth::with_token;
use super::raw_peer::{RawPeer, new_doc};
use super::relay_process::RelayProcess;

#[tokio::test]
async fn token_of_street_a_is_refused_at_street_b() {
    let dir_a = TempDir::new().unwrap();
    let dir_b = TempDir::new().unwrap();
    let a = RelayProcess::start(dir_a.path());
    let b = RelayProcess::start(dir_b.path());
    let replayed = with_token(&b, &a.admin_token);
    let status = match tokio_tungstenite::connect_async(&replayed).await {
        Ok((_, r)) => r.status(),
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => r.status(),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn another_token_cannot_take_over_a_connected_peer_id() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let mut victim = RawPeer::join(&relay.url, "wang-phone").await;
    let thief_token = relay.create_token("street-admin", "", "thief");
    let mut thief = RawPeer::connect(&with_token(&relay, thief_token.trim()), "wang-phone").await;
    thief
        .send(&linli_protocol::Message::Join {
            sender_id: "wang-phone".into(),
            supported_protocol_versions: vec!["1".into()],
            peer_metadata: None,
        })
        .await;
    thief.expect_error("in use by another token").await;
    // The victim's connection is untouched and still syncs.
    let mut doc = new_doc("wang-phone", "k", "v");
    assert_eq!(victim.sync_doc(&mut doc).await, Some("sync"));
}
