//! Frames captured from real automerge-repo JavaScript peers (see
//! `fixtures/js/README.md` and `tests/js/capture.mjs`) decode to the fields
//! the capture recorded, and survive a re-encode.

use std::path::PathBuf;

use automerge::sync;
use linli_protocol::Message;
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/js")
}

fn manifest() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(fixtures().join("manifest.json")).unwrap();
    match serde_json::from_str(&text).unwrap() {
        Value::Object(m) => m,
        other => panic!("manifest is not an object: {other}"),
    }
}

#[test]
fn every_captured_frame_decodes_to_the_recorded_fields() {
    let manifest = manifest();
    assert!(manifest.len() >= 10, "expected the full capture set");
    for (file, entry) in &manifest {
        let bytes = std::fs::read(fixtures().join(file)).unwrap();
        let message = Message::decode(&bytes, 1 << 20).unwrap_or_else(|e| panic!("{file}: {e}"));
        let summary = &entry["summary"];
        let text = |k: &str| summary.get(k).and_then(Value::as_str);
        assert_eq!(Some(message.type_name()), text("type"), "{file}");
        assert_eq!(
            message.sender_id().map(|p| p.as_str()),
            text("senderId"),
            "{file}"
        );
        if let Some(doc) = text("documentId") {
            assert_eq!(
                message.document_id().map(|d| d.to_string()).as_deref(),
                Some(doc),
                "{file}"
            );
        }
        match &message {
            Message::Request(d) | Message::Sync(d) => {
                assert_eq!(
                    Some(d.data.len() as u64),
                    summary["dataLength"].as_u64(),
                    "{file}"
                );
                assert_eq!(Some(d.target_id.as_str()), text("targetId"), "{file}");
                sync::Message::decode(&d.data)
                    .unwrap_or_else(|e| panic!("{file}: sync data does not decode: {e}"));
            }
            Message::Ephemeral {
                session_id,
                count,
                data,
                ..
            } => {
                assert_eq!(Some(session_id.as_str()), text("sessionId"));
                assert_eq!(Some(*count), summary["count"].as_u64());
                assert_eq!(Some(data.len() as u64), summary["dataLength"].as_u64());
            }
            Message::Error { message, .. } => {
                assert_eq!(Some(message.as_str()), text("message"));
            }
            Message::Peer {
                selected_protocol_version,
                peer_metadata,
                ..
            } => {
                assert_eq!(selected_protocol_version, "1");
                assert!(
                    peer_metadata
                        .as_ref()
                        .is_some_and(|m| m.storage_id.is_some())
                );
            }
            Message::Join {
                supported_protocol_versions,
                peer_metadata,
                ..
            } => {
                assert_eq!(supported_protocol_versions, &["1"]);
                // JS sends `storageId: undefined` for a repo without storage.
                let meta = peer_metadata.as_ref().unwrap();
                assert_eq!(meta.storage_id, None);
                assert_eq!(meta.is_ephemeral, Some(true));
            }
            _ => {}
        }
        let again = Message::decode(&message.encode(), 1 << 20).unwrap();
        assert_eq!(again, message, "{file}: re-encode changed the message");
    }
}
