use ciborium::value::Value;
use proptest::prelude::*;

use super::*;

const LIMIT: usize = 1 << 20;

/// A placeholder that [`cbor`] turns into CBOR `undefined` (0xf7), which
/// JavaScript peers send and ciborium cannot build as a value.
const UNDEF: &str = "__UNDEF__";

fn cbor(v: Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(&v, &mut out).unwrap();
    let mut marker = vec![0x60 + UNDEF.len() as u8];
    marker.extend_from_slice(UNDEF.as_bytes());
    while let Some(at) = out.windows(marker.len()).position(|w| w == marker) {
        out.splice(at..at + marker.len(), [0xf7]);
    }
    out
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Value::Text(k.into()), v))
            .collect(),
    )
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

const DOC: &str = "4NMNnkMhL8jXrdJ9jamS58PAVdXu";

fn peer_id() -> impl Strategy<Value = PeerId> {
    "[a-z0-9-]{1,24}".prop_map(PeerId::new)
}

fn doc_id() -> impl Strategy<Value = DocumentId> {
    any::<[u8; 16]>().prop_map(DocumentId::from_bytes)
}

fn metadata() -> impl Strategy<Value = Option<PeerMetadata>> {
    proptest::option::of(
        (
            proptest::option::of("[a-f0-9-]{36}"),
            proptest::option::of(any::<bool>()),
        )
            .prop_map(|(storage_id, is_ephemeral)| PeerMetadata {
                storage_id,
                is_ephemeral,
            }),
    )
}

fn sync_data() -> impl Strategy<Value = SyncData> {
    (
        peer_id(),
        peer_id(),
        doc_id(),
        proptest::collection::vec(any::<u8>(), 1..200),
    )
        .prop_map(|(sender_id, target_id, document_id, data)| SyncData {
            sender_id,
            target_id,
            document_id,
            data,
        })
}

fn message() -> impl Strategy<Value = Message> {
    prop_oneof![
        (
            peer_id(),
            proptest::collection::vec("[0-9]{1,2}", 0..3),
            metadata()
        )
            .prop_map(|(sender_id, v, peer_metadata)| Message::Join {
                sender_id,
                supported_protocol_versions: v,
                peer_metadata
            }),
        (peer_id(), peer_id(), metadata()).prop_map(|(s, t, peer_metadata)| Message::Peer {
            sender_id: s,
            target_id: t,
            selected_protocol_version: "1".into(),
            peer_metadata
        }),
        (
            ".{0,40}",
            proptest::option::of(peer_id()),
            proptest::option::of(peer_id())
        )
            .prop_map(|(message, sender_id, target_id)| Message::Error {
                message,
                sender_id,
                target_id
            }),
        peer_id().prop_map(|sender_id| Message::Leave { sender_id }),
        sync_data().prop_map(Message::Request),
        sync_data().prop_map(Message::Sync),
        (peer_id(), peer_id(), doc_id()).prop_map(|(s, t, d)| Message::DocUnavailable {
            sender_id: s,
            target_id: t,
            document_id: d
        }),
        (sync_data(), "[a-z0-9]{1,20}", any::<u64>()).prop_map(|(d, session_id, count)| {
            Message::Ephemeral {
                sender_id: d.sender_id,
                target_id: d.target_id,
                document_id: d.document_id,
                session_id,
                count,
                data: d.data,
            }
        }),
        (
            peer_id(),
            peer_id(),
            proptest::collection::vec("[a-f0-9-]{36}", 0..3),
            proptest::collection::vec("[a-f0-9-]{36}", 0..3)
        )
            .prop_map(|(s, t, add, remove)| Message::RemoteSubscriptionChange {
                sender_id: s,
                target_id: t,
                add,
                remove
            }),
        (
            peer_id(),
            peer_id(),
            doc_id(),
            proptest::collection::vec(
                (
                    "[a-f0-9-]{36}",
                    proptest::collection::vec("[1-9A-Za-z]{20,40}", 0..3),
                    any::<u64>()
                ),
                0..3
            )
        )
            .prop_map(|(s, t, d, heads)| Message::RemoteHeadsChanged {
                sender_id: s,
                target_id: t,
                document_id: d,
                new_heads: heads
                    .into_iter()
                    .map(|(storage_id, heads, timestamp)| RemoteHeads {
                        storage_id,
                        heads,
                        timestamp
                    })
                    .collect()
            }),
    ]
}

proptest! {
    #[test]
    fn every_message_round_trips(msg in message()) {
        let bytes = msg.encode();
        prop_assert_eq!(Message::decode(&bytes, LIMIT).unwrap(), msg);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = Message::decode(&bytes, LIMIT);
    }
}

#[test]
fn float_count_undefined_fields_and_unknown_keys_are_accepted() {
    let bytes = cbor(map(vec![
        ("type", text("ephemeral")),
        ("senderId", text("a")),
        ("targetId", text("b")),
        ("documentId", text(DOC)),
        ("sessionId", text("s")),
        ("count", Value::Float(3.0)),
        ("data", Value::Bytes(vec![1, 2])),
        ("somethingNew", text(UNDEF)),
    ]));
    let Message::Ephemeral { count, .. } = Message::decode(&bytes, LIMIT).unwrap() else {
        panic!("not ephemeral");
    };
    assert_eq!(count, 3);

    let join = cbor(map(vec![
        ("type", text("join")),
        ("senderId", text("peer-x")),
        ("supportedProtocolVersions", Value::Array(vec![text("1")])),
        (
            "peerMetadata",
            map(vec![
                ("storageId", text(UNDEF)),
                ("isEphemeral", Value::Bool(true)),
            ]),
        ),
    ]));
    assert_eq!(
        Message::decode(&join, LIMIT).unwrap(),
        Message::Join {
            sender_id: "peer-x".into(),
            supported_protocol_versions: vec!["1".into()],
            peer_metadata: Some(PeerMetadata {
                storage_id: None,
                is_ephemeral: Some(true)
            }),
        }
    );
}

#[test]
fn document_id_as_sixteen_bytes_is_accepted() {
    let id: DocumentId = DOC.parse().unwrap();
    let bytes = cbor(map(vec![
        ("type", text("doc-unavailable")),
        ("senderId", text("a")),
        ("targetId", text("b")),
        ("documentId", Value::Bytes(id.as_bytes().to_vec())),
    ]));
    assert_eq!(
        Message::decode(&bytes, LIMIT).unwrap().document_id(),
        Some(id)
    );
}

#[test]
fn bad_frames_give_typed_errors() {
    assert!(matches!(
        Message::decode(&[0xff, 0x00], LIMIT),
        Err(DecodeError::NotCbor { .. })
    ));
    assert_eq!(
        Message::decode(&cbor(Value::Array(vec![])), LIMIT),
        Err(DecodeError::NotAMap)
    );
    assert_eq!(
        Message::decode(&cbor(map(vec![("senderId", text("a"))])), LIMIT),
        Err(DecodeError::MissingType)
    );
    assert_eq!(
        Message::decode(&cbor(map(vec![("type", text("gossip"))])), LIMIT),
        Err(DecodeError::UnknownType("gossip".into()))
    );
    assert!(matches!(
        Message::decode(
            &cbor(map(vec![
                ("type", text("sync")),
                ("senderId", text("a")),
                ("targetId", text("b")),
                ("documentId", text("badbadbad")),
                ("data", Value::Bytes(vec![0x42])),
            ])),
            LIMIT
        ),
        Err(DecodeError::BadDocumentId { kind: "sync", .. })
    ));
    assert_eq!(
        Message::decode(
            &cbor(map(vec![
                ("type", text("request")),
                ("senderId", text("a"))
            ])),
            LIMIT
        ),
        Err(DecodeError::MissingField {
            kind: "request",
            field: "targetId"
        })
    );
    assert_eq!(
        Message::decode(&[0u8; 100], 10),
        Err(DecodeError::TooLarge {
            len: 100,
            limit: 10
        })
    );
}

#[test]
fn deeply_nested_cbor_is_refused_without_overflow() {
    // 10,000 nested one-element arrays.
    let mut bytes = vec![0x81u8; 10_000];
    bytes.push(0x00);
    assert!(matches!(
        Message::decode(&bytes, LIMIT),
        Err(DecodeError::NotCbor { .. })
    ));
}
