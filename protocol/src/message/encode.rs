//! [`Message`] → CBOR map with text keys, definite lengths, untagged bytes.

use ciborium::value::Value;

use super::{Message, PeerMetadata, RemoteHeads, SyncData};
use crate::PeerId;

pub(super) fn encode(message: &Message) -> Vec<u8> {
    let mut m = MapBuilder::new(message.type_name());
    match message {
        Message::Join {
            sender_id,
            supported_protocol_versions,
            peer_metadata,
        } => {
            m.peer("senderId", sender_id);
            m.put(
                "supportedProtocolVersions",
                Value::Array(
                    supported_protocol_versions
                        .iter()
                        .map(|v| Value::Text(v.clone()))
                        .collect(),
                ),
            );
            m.metadata(peer_metadata.as_ref());
        }
        Message::Peer {
            sender_id,
            target_id,
            selected_protocol_version,
            peer_metadata,
        } => {
            m.peer("senderId", sender_id);
            m.peer("targetId", target_id);
            m.text("selectedProtocolVersion", selected_protocol_version);
            m.metadata(peer_metadata.as_ref());
        }
        Message::Error {
            message,
            sender_id,
            target_id,
        } => {
            if let Some(s) = sender_id {
                m.peer("senderId", s);
            }
            if let Some(t) = target_id {
                m.peer("targetId", t);
            }
            m.text("message", message);
        }
        Message::Leave { sender_id } => m.peer("senderId", sender_id),
        Message::Request(data) | Message::Sync(data) => m.sync_data(data),
        Message::DocUnavailable {
            sender_id,
            target_id,
            document_id,
        } => {
            m.peer("senderId", sender_id);
            m.peer("targetId", target_id);
            m.text("documentId", &document_id.to_string());
        }
        Message::Ephemeral {
            sender_id,
            target_id,
            document_id,
            session_id,
            count,
            data,
        } => {
            m.peer("senderId", sender_id);
            m.peer("targetId", target_id);
            m.text("documentId", &document_id.to_string());
            m.text("sessionId", session_id);
            m.put("count", Value::Integer((*count).into()));
            m.put("data", Value::Bytes(data.clone()));
        }
        Message::RemoteSubscriptionChange {
            sender_id,
            target_id,
            add,
            remove,
        } => {
            m.peer("senderId", sender_id);
            m.peer("targetId", target_id);
            m.put("add", text_array(add));
            m.put("remove", text_array(remove));
        }
        Message::RemoteHeadsChanged {
            sender_id,
            target_id,
            document_id,
            new_heads,
        } => {
            m.peer("senderId", sender_id);
            m.peer("targetId", target_id);
            m.text("documentId", &document_id.to_string());
            m.put(
                "newHeads",
                Value::Map(new_heads.iter().map(remote_heads_entry).collect()),
            );
        }
    }
    m.finish()
}

fn text_array(items: &[String]) -> Value {
    Value::Array(items.iter().map(|t| Value::Text(t.clone())).collect())
}

fn remote_heads_entry(h: &RemoteHeads) -> (Value, Value) {
    (
        Value::Text(h.storage_id.clone()),
        Value::Map(vec![
            (Value::Text("heads".into()), text_array(&h.heads)),
            (
                Value::Text("timestamp".into()),
                Value::Integer(h.timestamp.into()),
            ),
        ]),
    )
}

struct MapBuilder(Vec<(Value, Value)>);

impl MapBuilder {
    fn new(kind: &str) -> Self {
        let mut m = Self(Vec::with_capacity(6));
        m.text("type", kind);
        m
    }

    fn put(&mut self, key: &str, value: Value) {
        self.0.push((Value::Text(key.to_owned()), value));
    }

    fn text(&mut self, key: &str, value: &str) {
        self.put(key, Value::Text(value.to_owned()));
    }

    fn peer(&mut self, key: &str, value: &PeerId) {
        self.text(key, value.as_str());
    }

    fn metadata(&mut self, meta: Option<&PeerMetadata>) {
        let Some(meta) = meta else { return };
        let mut entries = Vec::new();
        if let Some(s) = &meta.storage_id {
            entries.push((Value::Text("storageId".into()), Value::Text(s.clone())));
        }
        if let Some(e) = meta.is_ephemeral {
            entries.push((Value::Text("isEphemeral".into()), Value::Bool(e)));
        }
        self.put("peerMetadata", Value::Map(entries));
    }

    fn sync_data(&mut self, d: &SyncData) {
        self.peer("senderId", &d.sender_id);
        self.peer("targetId", &d.target_id);
        self.text("documentId", &d.document_id.to_string());
        self.put("data", Value::Bytes(d.data.clone()));
    }

    fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        // Writing a Value into a Vec cannot fail: the writer is infallible and
        // every Value built here is representable.
        if ciborium::ser::into_writer(&Value::Map(self.0), &mut out).is_err() {
            out.clear();
        }
        out
    }
}
