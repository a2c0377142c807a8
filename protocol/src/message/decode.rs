//! CBOR map → [`Message`], never panicking on bad bytes.

use ciborium::value::Value;

use super::{Message, PeerMetadata, RemoteHeads, SyncData};
use crate::{DocumentId, DocumentIdError, PeerId};

/// Nesting deeper than this is refused (no real message nests past 4).
const RECURSION_LIMIT: usize = 16;

/// Why a frame is not a valid automerge-repo message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    #[error("message of {len} bytes exceeds the limit of {limit} bytes")]
    TooLarge { len: usize, limit: usize },
    #[error("message is not valid CBOR: {reason}")]
    NotCbor { reason: String },
    #[error("message is not a CBOR map with text keys")]
    NotAMap,
    #[error("message has no \"type\" field")]
    MissingType,
    #[error("unknown message type {0:?}")]
    UnknownType(String),
    #[error("{kind} message is missing field {field:?}")]
    MissingField {
        kind: &'static str,
        field: &'static str,
    },
    #[error("{kind} message field {field:?} should be {expected}")]
    WrongFieldType {
        kind: &'static str,
        field: &'static str,
        expected: &'static str,
    },
    #[error("{kind} message has an invalid documentId: {source}")]
    BadDocumentId {
        kind: &'static str,
        source: DocumentIdError,
    },
}

pub(super) fn decode(bytes: &[u8], max_len: usize) -> Result<Message, DecodeError> {
    if bytes.len() > max_len {
        return Err(DecodeError::TooLarge {
            len: bytes.len(),
            limit: max_len,
        });
    }
    let value: Value = ciborium::de::from_reader_with_recursion_limit(bytes, RECURSION_LIMIT)
        .map_err(|e| DecodeError::NotCbor {
            reason: e.to_string(),
        })?;
    let Value::Map(entries) = value else {
        return Err(DecodeError::NotAMap);
    };
    let fields = Fields::new(entries)?;
    let kind = match fields.get("type") {
        Some(Value::Text(t)) => t.clone(),
        Some(_) => {
            return Err(DecodeError::WrongFieldType {
                kind: "message",
                field: "type",
                expected: "text",
            });
        }
        None => return Err(DecodeError::MissingType),
    };
    let f = Reader { fields, kind: "" };
    match kind.as_str() {
        "join" => {
            let f = f.kind("join");
            Ok(Message::Join {
                sender_id: f.peer("senderId")?,
                supported_protocol_versions: f
                    .opt_text_list("supportedProtocolVersions")?
                    .unwrap_or_default(),
                peer_metadata: f.opt_metadata("peerMetadata")?,
            })
        }
        "peer" => {
            let f = f.kind("peer");
            Ok(Message::Peer {
                sender_id: f.peer("senderId")?,
                target_id: f.peer("targetId")?,
                selected_protocol_version: f.text("selectedProtocolVersion")?,
                peer_metadata: f.opt_metadata("peerMetadata")?,
            })
        }
        "error" => {
            let f = f.kind("error");
            Ok(Message::Error {
                message: f.opt_text("message")?.unwrap_or_default(),
                sender_id: f.opt_text("senderId")?.map(PeerId::new),
                target_id: f.opt_text("targetId")?.map(PeerId::new),
            })
        }
        "leave" => Ok(Message::Leave {
            sender_id: f.kind("leave").peer("senderId")?,
        }),
        "request" => Ok(Message::Request(f.kind("request").sync_data()?)),
        "sync" => Ok(Message::Sync(f.kind("sync").sync_data()?)),
        "doc-unavailable" => {
            let f = f.kind("doc-unavailable");
            Ok(Message::DocUnavailable {
                sender_id: f.peer("senderId")?,
                target_id: f.peer("targetId")?,
                document_id: f.document_id()?,
            })
        }
        "ephemeral" => {
            let f = f.kind("ephemeral");
            Ok(Message::Ephemeral {
                sender_id: f.peer("senderId")?,
                target_id: f.peer("targetId")?,
                document_id: f.document_id()?,
                session_id: f.text("sessionId")?,
                count: f.uint("count")?,
                data: f.bytes("data")?,
            })
        }
        "remote-subscription-change" => {
            let f = f.kind("remote-subscription-change");
            Ok(Message::RemoteSubscriptionChange {
                sender_id: f.peer("senderId")?,
                target_id: f.peer("targetId")?,
                add: f.opt_text_list("add")?.unwrap_or_default(),
                remove: f.opt_text_list("remove")?.unwrap_or_default(),
            })
        }
        "remote-heads-changed" => {
            let f = f.kind("remote-heads-changed");
            Ok(Message::RemoteHeadsChanged {
                sender_id: f.peer("senderId")?,
                target_id: f.peer("targetId")?,
                document_id: f.document_id()?,
                new_heads: f.remote_heads("newHeads")?,
            })
        }
        other => Err(DecodeError::UnknownType(other.to_owned())),
    }
}

/// The text-keyed entries of a map, with null/undefined values dropped.
struct Fields(Vec<(String, Value)>);

impl Fields {
    fn new(entries: Vec<(Value, Value)>) -> Result<Self, DecodeError> {
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let Value::Text(k) = k else {
                return Err(DecodeError::NotAMap);
            };
            if !is_absent(&v) {
                out.push((k, v));
            }
        }
        Ok(Self(out))
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// ciborium reads both CBOR null and undefined (simple 23) as `Null`.
fn is_absent(v: &Value) -> bool {
    matches!(v, Value::Null)
}

struct Reader {
    fields: Fields,
    kind: &'static str,
}

impl Reader {
    fn kind(self, kind: &'static str) -> Self {
        Self { kind, ..self }
    }

    fn wrong(&self, field: &'static str, expected: &'static str) -> DecodeError {
        DecodeError::WrongFieldType {
            kind: self.kind,
            field,
            expected,
        }
    }

    fn required<'a>(&'a self, field: &'static str) -> Result<&'a Value, DecodeError> {
        self.fields.get(field).ok_or(DecodeError::MissingField {
            kind: self.kind,
            field,
        })
    }

    fn text(&self, field: &'static str) -> Result<String, DecodeError> {
        self.opt_text(field)?.ok_or(DecodeError::MissingField {
            kind: self.kind,
            field,
        })
    }

    fn opt_text(&self, field: &'static str) -> Result<Option<String>, DecodeError> {
        match self.fields.get(field) {
            None => Ok(None),
            Some(Value::Text(t)) => Ok(Some(t.clone())),
            Some(_) => Err(self.wrong(field, "text")),
        }
    }

    fn peer(&self, field: &'static str) -> Result<PeerId, DecodeError> {
        self.text(field).map(PeerId::new)
    }

    fn bytes(&self, field: &'static str) -> Result<Vec<u8>, DecodeError> {
        match self.required(field)? {
            Value::Bytes(b) => Ok(b.clone()),
            // A byte string tagged as a typed array (cbor-x with tagging on).
            Value::Tag(64, inner) => match inner.as_ref() {
                Value::Bytes(b) => Ok(b.clone()),
                _ => Err(self.wrong(field, "a byte string")),
            },
            _ => Err(self.wrong(field, "a byte string")),
        }
    }

    fn uint(&self, field: &'static str) -> Result<u64, DecodeError> {
        uint_of(self.required(field)?).ok_or_else(|| self.wrong(field, "a non-negative integer"))
    }

    fn opt_text_list(&self, field: &'static str) -> Result<Option<Vec<String>>, DecodeError> {
        match self.fields.get(field) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::Text(t) => Ok(t.clone()),
                    _ => Err(self.wrong(field, "an array of text")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(self.wrong(field, "an array of text")),
        }
    }

    fn opt_metadata(&self, field: &'static str) -> Result<Option<PeerMetadata>, DecodeError> {
        let entries = match self.fields.get(field) {
            None => return Ok(None),
            Some(Value::Map(entries)) => entries,
            Some(_) => return Err(self.wrong(field, "a map")),
        };
        let mut meta = PeerMetadata::default();
        for (k, v) in entries {
            match (k, v) {
                (Value::Text(k), Value::Text(s)) if k == "storageId" => {
                    meta.storage_id = Some(s.clone())
                }
                (Value::Text(k), Value::Bool(b)) if k == "isEphemeral" => {
                    meta.is_ephemeral = Some(*b)
                }
                _ => {}
            }
        }
        Ok(Some(meta))
    }

    fn document_id(&self) -> Result<DocumentId, DecodeError> {
        let parsed = match self.required("documentId")? {
            Value::Text(t) => DocumentId::parse_id_or_url(t),
            Value::Bytes(b) => DocumentId::try_from_slice(b),
            _ => return Err(self.wrong("documentId", "text or 16 bytes")),
        };
        parsed.map_err(|source| DecodeError::BadDocumentId {
            kind: self.kind,
            source,
        })
    }

    fn sync_data(&self) -> Result<SyncData, DecodeError> {
        Ok(SyncData {
            sender_id: self.peer("senderId")?,
            target_id: self.peer("targetId")?,
            document_id: self.document_id()?,
            data: self.bytes("data")?,
        })
    }

    fn remote_heads(&self, field: &'static str) -> Result<Vec<RemoteHeads>, DecodeError> {
        let Value::Map(entries) = self.required(field)? else {
            return Err(self.wrong(field, "a map"));
        };
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let (Value::Text(storage_id), Value::Map(inner)) = (k, v) else {
                return Err(self.wrong(field, "a map of storage id to heads"));
            };
            let mut heads = Vec::new();
            let mut timestamp = 0;
            for (ik, iv) in inner {
                match (ik, iv) {
                    (Value::Text(ik), Value::Array(hs)) if ik == "heads" => {
                        heads = hs
                            .iter()
                            .filter_map(|h| match h {
                                Value::Text(t) => Some(t.clone()),
                                _ => None,
                            })
                            .collect();
                    }
                    (Value::Text(ik), v) if ik == "timestamp" => {
                        timestamp = uint_of(v).unwrap_or(0);
                    }
                    _ => {}
                }
            }
            out.push(RemoteHeads {
                storage_id: storage_id.clone(),
                heads,
                timestamp,
            });
        }
        Ok(out)
    }
}

/// A non-negative integer, also when JavaScript sent it as a whole float.
fn uint_of(v: &Value) -> Option<u64> {
    match v {
        Value::Integer(i) => u64::try_from(*i).ok(),
        Value::Float(f) if f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64 => {
            Some(*f as u64)
        }
        _ => None,
    }
}
