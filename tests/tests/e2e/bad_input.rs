//! Every kind of bad input ends that connection with a clear `error`, and the
//! relay and its other peers carry on.

use ciborium::value::Value;
use linli_protocol::{DocumentId, Message, PeerMetadata, SyncData};
use tempfile::TempDir;
use tokio_tungstenite::tungstenite::Message as Ws;

use super::raw_peer::{RawPeer, new_doc, wanted_doc};
use super::relay_process::RelayProcess;

fn cbor(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(v, &mut out).unwrap();
    out
}

fn map(entries: &[(&str, Value)]) -> Value {
    Value::Map(
        entries
            .iter()
            .map(|(k, v)| (Value::Text((*k).into()), v.clone()))
            .collect(),
    )
}

/// A relay with one healthy peer that has pushed a document; after each bad
/// connection, the healthy peer must still sync a new edit and a newcomer
/// must still be able to fetch the document.
struct Scene {
    _dir: TempDir,
    relay: RelayProcess,
    healthy: RawPeer,
    doc: linli_protocol::DocSync,
}

impl Scene {
    async fn new(extra_args: &[&str]) -> Self {
        let dir = TempDir::new().unwrap();
        let relay = RelayProcess::start_with(dir.path(), extra_args);
        let mut healthy = RawPeer::join(&relay.url, "healthy").await;
        let mut doc = new_doc("healthy", "status", "ok");
        healthy.sync_doc(&mut doc).await;
        Self {
            _dir: dir,
            relay,
            healthy,
            doc,
        }
    }

    async fn assert_unaffected(&mut self) {
        use automerge::ROOT;
        use automerge::transaction::Transactable;
        let mut tx = self.doc.doc_mut().transaction();
        tx.put(ROOT, "status", "still ok").unwrap();
        tx.commit();
        self.healthy.sync_doc(&mut self.doc).await;
        let mut newcomer = RawPeer::join(&self.relay.url, "newcomer").await;
        let mut copy = wanted_doc("newcomer", self.doc.document_id());
        newcomer.sync_doc(&mut copy).await;
        assert_eq!(copy.heads(), self.doc.heads());
    }

    async fn joined(&self, id: &str) -> RawPeer {
        RawPeer::join(&self.relay.url, id).await
    }
}

#[tokio::test]
async fn malformed_cbor_is_refused() {
    let mut s = Scene::new(&[]).await;
    let mut bad = s.joined("bad").await;
    bad.send_raw(Ws::Binary(vec![0xff, 0xfe, 0x00].into()))
        .await;
    bad.expect_error("not valid CBOR").await;
    s.assert_unaffected().await;
}

#[tokio::test]
async fn unknown_message_type_is_refused() {
    let mut s = Scene::new(&[]).await;
    let mut bad = s.joined("bad").await;
    let frame = cbor(&map(&[
        ("type", Value::Text("gossip".into())),
        ("senderId", Value::Text("bad".into())),
    ]));
    bad.send_raw(Ws::Binary(frame.into())).await;
    bad.expect_error("unknown message type").await;
    s.assert_unaffected().await;
}

#[tokio::test]
async fn text_frame_is_refused() {
    let mut s = Scene::new(&[]).await;
    let mut bad = s.joined("bad").await;
    bad.send_raw(Ws::Text("{\"type\":\"join\"}".into())).await;
    bad.expect_error("binary frames").await;
    s.assert_unaffected().await;
}

#[tokio::test]
async fn message_before_join_is_refused() {
    let mut s = Scene::new(&[]).await;
    let mut bad = RawPeer::connect(&s.relay.url, "bad").await;
    let doc = DocumentId::random(&mut rand::rng());
    bad.send(&Message::Request(SyncData {
        sender_id: "bad".into(),
        target_id: "relay".into(),
        document_id: doc,
        data: vec![0x42, 0, 0, 0, 0],
    }))
    .await;
    bad.expect_error("expected a join").await;
    s.assert_unaffected().await;
}

#[tokio::test]
async fn unsupported_protocol_version_is_refused() {
    let mut s = Scene::new(&[]).await;
    let mut bad = RawPeer::connect(&s.relay.url, "bad").await;
    bad.send(&Message::Join {
        sender_id: "bad".into(),
        supported_protocol_versions: vec!["2".into()],
        peer_metadata: Some(PeerMetadata::default()),
    })
    .await;
    bad.expect_error("unsupported protocol version").await;
    s.assert_unaffected().await;
}

#[tokio::test]
async fn invalid_document_id_is_refused() {
    let mut s = Scene::new(&[]).await;
    let mut bad = s.joined("bad").await;
    let frame = cbor(&map(&[
        ("type", Value::Text("request".into())),
        ("senderId", Value::Text("bad".into())),
        ("targetId", Value::Text(bad.relay_id().to_string())),
        ("documentId", Value::Text("badbadbad".into())),
        ("data", Value::Bytes(vec![0x42])),
    ]));
    bad.send_raw(Ws::Binary(frame.into())).await;
    bad.expect_error("invalid documentId").await;
    s.assert_unaffected().await;
}

#[tokio::test]
async fn garbage_sync_data_is_refused_and_names_the_document() {
    let mut s = Scene::new(&[]).await;
    let mut bad = s.joined("bad").await;
    let target = s.doc.document_id();
    bad.send(&Message::Sync(SyncData {
        sender_id: "bad".into(),
        target_id: bad.relay_id(),
        document_id: target,
        data: b"this is not automerge".to_vec(),
    }))
    .await;
    bad.expect_error(&target.to_string()).await;
    s.assert_unaffected().await;
}

#[tokio::test]
async fn peer_claiming_another_sender_id_is_refused() {
    let mut s = Scene::new(&[]).await;
    let mut bad = s.joined("bad").await;
    let mut doc = new_doc("healthy", "x", "y");
    doc.attach(bad.relay_id(), linli_protocol::Access::ReadWrite);
    for m in doc.outgoing() {
        bad.send(&m).await; // sender is "healthy", socket joined as "bad"
    }
    bad.expect_error("claims sender").await;
    s.assert_unaffected().await;
}

#[tokio::test]
async fn oversized_message_is_refused() {
    let mut s = Scene::new(&["--max-message-bytes", "4096"]).await;
    let mut bad = s.joined("bad").await;
    bad.send(&Message::Ephemeral {
        sender_id: "bad".into(),
        target_id: bad.relay_id(),
        document_id: s.doc.document_id(),
        session_id: "s".into(),
        count: 1,
        data: vec![7; 10_000],
    })
    .await;
    bad.expect_error("exceeds the limit").await;
    s.assert_unaffected().await;
}

#[tokio::test]
async fn silent_connection_is_closed_after_the_join_timeout() {
    let mut s = Scene::new(&["--join-timeout-secs", "1"]).await;
    let mut idle = RawPeer::connect(&s.relay.url, "idle").await;
    idle.expect_error("no join").await;
    s.assert_unaffected().await;
}

#[tokio::test]
async fn second_join_on_a_connection_is_refused() {
    let mut s = Scene::new(&[]).await;
    let mut bad = s.joined("bad").await;
    bad.send(&Message::Join {
        sender_id: "bad".into(),
        supported_protocol_versions: vec!["1".into()],
        peer_metadata: None,
    })
    .await;
    bad.expect_error("after the handshake").await;
    s.assert_unaffected().await;
}

#[tokio::test]
async fn empty_sync_data_is_refused() {
    let mut s = Scene::new(&[]).await;
    let mut bad = s.joined("bad").await;
    bad.send(&Message::Request(SyncData {
        sender_id: "bad".into(),
        target_id: bad.relay_id(),
        document_id: DocumentId::random(&mut rand::rng()),
        data: Vec::new(),
    }))
    .await;
    bad.expect_error("carries no sync data").await;
    s.assert_unaffected().await;
}
