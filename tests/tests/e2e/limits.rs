//! Every limit, exceeded: the offender gets a clear refusal, others carry on.

use std::time::Duration;

use linli_protocol::{Message, SyncData};
use tempfile::TempDir;
use tokio_tungstenite::tungstenite::http::StatusCode;

use super::auth::with_token;
use super::raw_peer::{RawPeer, new_doc, wanted_doc};
use super::relay_process::{PATIENCE, RelayProcess};

async fn status_of(url: &str) -> StatusCode {
    match tokio_tungstenite::connect_async(url).await {
        Ok((_, response)) => response.status(),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status(),
        Err(e) => panic!("unexpected connect error {e}"),
    }
}

fn ephemeral(peer: &RawPeer, n: u64) -> Message {
    Message::Ephemeral {
        sender_id: peer.id.clone(),
        target_id: peer.relay_id(),
        document_id: linli_protocol::DocumentId::from_bytes([1; 16]),
        session_id: "s".into(),
        count: n,
        data: vec![1],
    }
}

#[tokio::test]
async fn message_flood_is_cut_off() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start_with(dir.path(), &["--max-messages-per-sec", "5"]);
    let mut flood = RawPeer::join(&relay.url, "flood").await;
    for n in 1..=200 {
        flood.send(&ephemeral(&flood, n)).await;
    }
    flood.expect_error("too many messages").await;
    let mut calm = RawPeer::join(&relay.url, "calm").await;
    let mut doc = new_doc("calm", "k", "v");
    assert_eq!(calm.sync_doc(&mut doc).await, Some("sync"));
}

#[tokio::test]
async fn too_many_documents_on_one_connection_is_refused() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start_with(dir.path(), &["--max-docs-per-connection", "2"]);
    let mut peer = RawPeer::join(&relay.url, "greedy").await;
    for _ in 0..2 {
        let mut doc = new_doc("greedy", "k", "v");
        peer.sync_doc(&mut doc).await;
    }
    let mut third = wanted_doc(
        "greedy",
        linli_protocol::DocumentId::random(&mut rand::rng()),
    );
    third.attach(peer.relay_id(), linli_protocol::Access::ReadWrite);
    for m in third.outgoing() {
        peer.send(&m).await;
    }
    peer.expect_error("too many documents").await;
}

#[tokio::test]
async fn connections_per_token_and_in_total_are_capped() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start_with(
        dir.path(),
        &["--max-connections-per-token", "1", "--max-connections", "2"],
    );
    let _first = RawPeer::join(&relay.url, "phone").await;
    assert_eq!(status_of(&relay.url).await, StatusCode::TOO_MANY_REQUESTS);
    let other = relay.create_token("street-admin", "", "second");
    let third_token = relay.create_token("street-admin", "", "third");
    let _second = RawPeer::join(&with_token(&relay, other.trim()), "laptop").await;
    assert_eq!(
        status_of(&with_token(&relay, third_token.trim())).await,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn silent_peer_is_dropped_after_the_idle_timeout() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start_with(dir.path(), &["--idle-timeout-secs", "1"]);
    // Joined, then never reads (so never answers pings) and never sends.
    let _silent = RawPeer::join(&relay.url, "silent").await;
    let addr = relay.addr();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let addr = addr.clone();
        let peers = tokio::task::spawn_blocking(move || super::memory::status(&addr, "peers"))
            .await
            .unwrap();
        if peers == 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "silent peer never dropped"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn empty_request_data_for_a_document_is_refused() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let mut peer = RawPeer::join(&relay.url, "p").await;
    peer.send(&Message::Sync(SyncData {
        sender_id: peer.id.clone(),
        target_id: peer.relay_id(),
        document_id: linli_protocol::DocumentId::random(&mut rand::rng()),
        data: vec![],
    }))
    .await;
    peer.expect_error("no sync data").await;
}
