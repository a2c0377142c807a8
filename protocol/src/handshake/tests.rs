use rand::SeedableRng;

use super::*;
use crate::Message;

const MAX: usize = 1 << 20;

fn me() -> PeerId {
    PeerId::new("phone-1")
}

fn relay() -> PeerId {
    PeerId::new("relay")
}

#[test]
fn a_join_is_accepted_and_answered_with_peer() {
    let join = join(&me(), PeerMetadata::durable("store-a"));
    let hello = accept_join(&Frame::from(&join), MAX).unwrap();
    assert_eq!(hello.peer_id, me());
    assert_eq!(hello.metadata, Some(PeerMetadata::durable("store-a")));

    let answer = peer(&relay(), &hello.peer_id, PeerMetadata::durable("store-r"));
    let seen = read_peer(&Frame::from(&answer), MAX).unwrap().unwrap();
    assert_eq!(seen.peer_id, relay());
    assert_eq!(seen.metadata, Some(PeerMetadata::durable("store-r")));
    match answer {
        Message::Peer {
            target_id,
            selected_protocol_version,
            ..
        } => {
            assert_eq!(target_id, me());
            assert_eq!(selected_protocol_version, "1");
        }
        other => panic!("expected peer, got {other:?}"),
    }
}

#[test]
fn a_join_without_version_one_is_refused() {
    let join = Message::Join {
        sender_id: me(),
        supported_protocol_versions: vec!["2".into()],
        peer_metadata: None,
    };
    let err = accept_join(&Frame::from(&join), MAX).unwrap_err();
    assert_eq!(err, HandshakeError::UnsupportedVersions(vec!["2".into()]));
    assert!(err.to_string().contains("unsupported protocol version"));
}

#[test]
fn anything_but_a_binary_join_first_is_refused() {
    let sync_first = Message::Leave { sender_id: me() };
    assert_eq!(
        accept_join(&Frame::from(&sync_first), MAX),
        Err(HandshakeError::NotJoin("leave"))
    );
    assert_eq!(
        accept_join(&Frame::Text("{}".into()), MAX),
        Err(HandshakeError::TextFrame)
    );
    assert_eq!(
        accept_join(&Frame::Ping(Vec::new()), MAX),
        Err(HandshakeError::UnexpectedFrame("ping"))
    );
    assert_eq!(
        accept_join(&Frame::Close(None), MAX),
        Err(HandshakeError::Closed)
    );
    assert!(matches!(
        accept_join(&Frame::Binary(vec![0xff, 0x00]), MAX),
        Err(HandshakeError::Invalid(_))
    ));
}

#[test]
fn an_oversized_join_is_refused_before_parsing() {
    let join = join(&me(), PeerMetadata::default());
    assert!(matches!(
        accept_join(&Frame::from(&join), 4),
        Err(HandshakeError::Invalid(_))
    ));
}

#[test]
fn the_dialer_skips_what_may_precede_peer() {
    assert_eq!(read_peer(&Frame::Ping(vec![1]), MAX), Ok(None));
    assert_eq!(read_peer(&Frame::Pong(vec![]), MAX), Ok(None));
    let stray = Message::RemoteSubscriptionChange {
        sender_id: relay(),
        target_id: me(),
        add: vec![],
        remove: vec![],
    };
    assert_eq!(read_peer(&Frame::from(&stray), MAX), Ok(None));
}

#[test]
fn the_dialer_fails_on_an_error_a_leave_a_close_or_another_version() {
    let error = Message::Error {
        message: "relay is full".into(),
        sender_id: None,
        target_id: None,
    };
    assert_eq!(
        read_peer(&Frame::from(&error), MAX),
        Err(HandshakeError::Refused("relay is full".into()))
    );
    let leave = Message::Leave { sender_id: relay() };
    assert_eq!(
        read_peer(&Frame::from(&leave), MAX),
        Err(HandshakeError::Left)
    );
    assert_eq!(
        read_peer(&Frame::Close(None), MAX),
        Err(HandshakeError::Closed)
    );
    assert_eq!(
        read_peer(&Frame::Text("hi".into()), MAX),
        Err(HandshakeError::TextFrame)
    );
    let v2 = Message::Peer {
        sender_id: relay(),
        target_id: me(),
        selected_protocol_version: "2".into(),
        peer_metadata: None,
    };
    assert_eq!(
        read_peer(&Frame::from(&v2), MAX),
        Err(HandshakeError::WrongVersion("2".into()))
    );
}

#[test]
fn storage_ids_are_v4_uuid_text_from_the_given_rng() {
    let mut a = rand::rngs::StdRng::seed_from_u64(1);
    let mut b = rand::rngs::StdRng::seed_from_u64(1);
    let id = new_storage_id(&mut a);
    assert_eq!(id, new_storage_id(&mut b), "same seed, same id");
    assert_ne!(id, new_storage_id(&mut a));
    let parts: Vec<&str> = id.split('-').collect();
    assert_eq!(
        parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12]
    );
    assert!(parts[2].starts_with('4'));
}
