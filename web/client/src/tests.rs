//! The device against an in-memory relay made of the same `DocSync`s the
//! real relay runs: handshake, discovery of buildings, a visit logged
//! offline, a reload from stored chunks, and the relay's confirmation.

use std::collections::BTreeMap;

use automerge::transaction::CommitOptions;
use automerge::{ActorId, Automerge};
use linli_protocol::{Access, DocSync, DocumentId, Message, PROTOCOL_VERSION, PeerId, SyncKind};
use linli_records::building::{self, BuildingRef, HouseholdFields, Member};
use linli_records::directory;
use linli_records::ids::{BuildingId, CommunityId, HouseholdId, MemberId, PersonId};
use linli_records::task_board::{self, TaskBoardRef};
use linli_records::vocab::Relation;

use crate::{Device, Effects, Identity, view};

mod edits;

pub(super) const NOW: i64 = 1_750_000_000_000;

/// A relay holding some documents; it answers what a device sends.
pub(super) struct FakeRelay {
    id: PeerId,
    docs: BTreeMap<DocumentId, DocSync>,
}

impl FakeRelay {
    fn handle(&mut self, frame: &[u8]) -> Vec<Vec<u8>> {
        let message = Message::decode(frame, usize::MAX).expect("device frames decode");
        let out: Vec<Message> = match message {
            Message::Join { sender_id, .. } => vec![Message::Peer {
                sender_id: self.id.clone(),
                target_id: sender_id,
                selected_protocol_version: PROTOCOL_VERSION.to_owned(),
                peer_metadata: None,
            }],
            Message::Request(data) | Message::Sync(data) => {
                let kind = SyncKind::Sync;
                match self.docs.get_mut(&data.document_id) {
                    None => vec![Message::DocUnavailable {
                        sender_id: self.id.clone(),
                        target_id: data.sender_id,
                        document_id: data.document_id,
                    }],
                    Some(sync) => {
                        if !sync.is_attached(&data.sender_id) {
                            sync.attach(data.sender_id.clone(), Access::ReadWrite);
                        }
                        sync.receive(&data.sender_id, kind, &data.data)
                            .expect("relay takes the device's sync data");
                        sync.outgoing()
                    }
                }
            }
            _ => Vec::new(),
        };
        out.iter().map(Message::encode).collect()
    }

    /// A new connection: every document forgets the old peer state.
    fn drop_peers(&mut self, peer: &PeerId) {
        for sync in self.docs.values_mut() {
            sync.detach(peer);
        }
    }
}

/// The device's storage: chunks and confirmed heads, as IndexedDB keeps them.
#[derive(Default, Clone)]
pub(super) struct Stored {
    chunks: Vec<(DocumentId, Vec<u8>)>,
    confirmed: BTreeMap<DocumentId, Vec<automerge::ChangeHash>>,
}

impl Stored {
    pub(super) fn apply(&mut self, effects: &Effects) {
        self.chunks.extend(effects.store.iter().cloned());
        for (doc, heads) in &effects.confirmed {
            self.confirmed.insert(*doc, heads.clone());
        }
    }
}

/// Sends `frames` to the relay and feeds the answers back until quiet.
pub(super) fn pump(
    device: &mut Device,
    relay: &mut FakeRelay,
    stored: &mut Stored,
    frames: Vec<Vec<u8>>,
) {
    let mut queue = frames;
    let mut rounds = 0;
    while !queue.is_empty() {
        rounds += 1;
        assert!(rounds < 100, "the exchange never settles");
        let mut next = Vec::new();
        for frame in queue {
            for answer in relay.handle(&frame) {
                let effects = device.receive(&answer).expect("device takes relay frames");
                assert!(effects.problems.is_empty(), "{:?}", effects.problems);
                stored.apply(&effects);
                next.extend(effects.frames);
            }
        }
        queue = next;
    }
}

pub(super) fn connect(device: &mut Device, relay: &mut FakeRelay, stored: &mut Stored) {
    relay.drop_peers(&device.identity().peer);
    let join = device.join();
    pump(device, relay, stored, vec![join]);
    assert!(device.connected());
}

fn commit(doc: &mut Automerge, edit: impl FnOnce(&mut automerge::transaction::Transaction<'_>)) {
    doc.transact_with::<_, _, std::convert::Infallible, _>(
        |_| CommitOptions::default().with_time(NOW / 1000),
        |tx| {
            edit(tx);
            Ok(())
        },
    )
    .expect("commit");
}

/// A street with one shared building of one household, and one building the
/// device may not read (the relay does not have it for this device).
pub(super) fn street() -> (FakeRelay, DocumentId, DocumentId) {
    let relay_id = PeerId::new("relay");
    let directory_id = DocumentId::try_from_slice(&[1; 16]).unwrap();
    let building_id = DocumentId::try_from_slice(&[2; 16]).unwrap();
    let hidden_id = DocumentId::try_from_slice(&[3; 16]).unwrap();
    let board_id = DocumentId::try_from_slice(&[4; 16]).unwrap();
    let board = TaskBoardRef {
        community: CommunityId::derive("东湖社区"),
        period: "2025-06".into(),
    };
    let mut board_doc = Automerge::new().with_actor(ActorId::from(vec![9; 16]));
    commit(&mut board_doc, |tx| task_board::init(tx, &board).unwrap());
    let b = BuildingId::derive("东湖社区", "东湖1区", "1栋");
    let hid = HouseholdId::new("c01-b001-h0001").unwrap();

    let mut building_doc = Automerge::new().with_actor(ActorId::from(vec![9; 16]));
    commit(&mut building_doc, |tx| {
        building::init(
            tx,
            &BuildingRef {
                id: b.clone(),
                community: "东湖社区".into(),
                compound: "东湖1区".into(),
                name: "1栋".into(),
            },
        )
        .unwrap();
        building::put_household(
            tx,
            &hid,
            &HouseholdFields {
                unit: "1".into(),
                floor: Some(1),
                room: "101".into(),
                ..Default::default()
            },
        )
        .unwrap();
        building::put_member(
            tx,
            &hid,
            &MemberId::new("m1").unwrap(),
            &Member {
                name: "牟杰永".into(),
                gender: None,
                birth_year: 1944,
                phone: Some("182-0804-5346".into()),
                relation: Relation::Head,
                tags: Default::default(),
                note: String::new(),
            },
        )
        .unwrap();
    });
    let mut directory_doc = Automerge::new().with_actor(ActorId::from(vec![9; 16]));
    commit(&mut directory_doc, |tx| {
        directory::init(tx, "东湖街道").unwrap();
        for (name, doc) in [("1栋", building_id), ("2栋", hidden_id)] {
            let entry = BuildingRef {
                id: BuildingId::derive("东湖社区", "东湖1区", name),
                community: "东湖社区".into(),
                compound: "东湖1区".into(),
                name: name.into(),
            };
            let url = linli_records::ids::DocUrl::new(doc.url()).unwrap();
            directory::register_building(tx, &entry, Some(&url)).unwrap();
        }
        let url = linli_records::ids::DocUrl::new(board_id.url()).unwrap();
        directory::register_board(tx, &board, Some(&url)).unwrap();
    });
    let mut docs = BTreeMap::new();
    docs.insert(
        directory_id,
        DocSync::new(directory_id, relay_id.clone(), directory_doc),
    );
    docs.insert(
        building_id,
        DocSync::new(building_id, relay_id.clone(), building_doc),
    );
    docs.insert(
        board_id,
        DocSync::new(board_id, relay_id.clone(), board_doc),
    );
    (FakeRelay { id: relay_id, docs }, directory_id, hidden_id)
}

fn query(text: &str) -> view::HouseholdFilter {
    view::HouseholdFilter {
        query: text.to_owned(),
        ..Default::default()
    }
}

pub(super) fn phone(directory: DocumentId) -> Device {
    phone_of(directory, "head-wang", 7)
}

/// A phone used by `person`, its edits made with actor `[n; 16]`.
pub(super) fn phone_of(directory: DocumentId, person: &str, n: u8) -> Device {
    Device::new(Identity {
        peer: PeerId::new(format!("linli-web-{person}")),
        storage_id: format!("00000000-0000-4000-8000-0000000000{n:02x}"),
        actor: ActorId::from(vec![n; 16]),
        person: PersonId::new(person).unwrap(),
        directory,
    })
}

#[test]
fn a_signed_in_phone_fetches_the_directory_and_only_the_buildings_shared_with_it() {
    let (mut relay, directory, hidden) = street();
    let mut device = phone(directory);
    let mut stored = Stored::default();
    connect(&mut device, &mut relay, &mut stored);

    let buildings = view::buildings(&device);
    assert_eq!(buildings.len(), 1, "{buildings:?}");
    assert_eq!(buildings[0].name, "1栋");
    assert_eq!(buildings[0].households, 1);
    assert!(device.is_unavailable(&hidden));
    let found = view::households(&device, &buildings[0].id, &query("牟"), NOW);
    assert_eq!(found.len(), 1);
    assert!(view::households(&device, &buildings[0].id, &query("902"), NOW).is_empty());
    let page = view::household(&device, "c01-b001-h0001").expect("household page");
    assert_eq!(page.members[0].phone.as_deref(), Some("182-0804-5346"));
    assert_eq!(view::status(&device).pending, 0);
}

#[test]
fn a_visit_logged_offline_survives_a_reload_as_pending_and_is_saved_after_reconnecting() {
    let (mut relay, directory, _) = street();
    let mut device = phone(directory);
    let mut stored = Stored::default();
    connect(&mut device, &mut relay, &mut stored);

    // Offline: the socket is gone.
    device.disconnected();
    let effects = device
        .log_visit("c01-b001-h0001", "血压正常", NOW + 60_000)
        .expect("visit logged");
    assert_eq!(effects.store.len(), 1, "the visit is stored at once");
    assert!(effects.frames.is_empty(), "nothing to send while offline");
    stored.apply(&effects);
    let status = view::status(&device);
    assert_eq!(status.pending, 1);
    assert_eq!(status.oldest_ms, Some((NOW + 60_000) / 1000 * 1000));

    // Reload: a new device from what was stored.
    let mut device = phone(directory);
    for (doc, chunk) in stored.chunks.clone() {
        device.load_chunk(doc, &chunk).expect("stored chunks load");
    }
    for (doc, heads) in stored.confirmed.clone() {
        device.load_confirmed(doc, heads);
    }
    stored.apply(&device.discover());
    assert_eq!(view::status(&device).pending, 1, "still only on this phone");
    let page = view::household(&device, "c01-b001-h0001").unwrap();
    assert_eq!(page.visits.len(), 1);
    assert_eq!(page.visits[0].by, "head-wang");
    assert_eq!(page.visits[0].note, "血压正常");

    // Online again: the relay takes the visit and confirms it.
    connect(&mut device, &mut relay, &mut stored);
    assert_eq!(view::status(&device).pending, 0);
    let on_relay = relay.docs.values().find_map(|s| {
        building::Building::load(s.doc()).ok().map(|b| {
            b.households[&HouseholdId::new("c01-b001-h0001").unwrap()]
                .visits
                .len()
        })
    });
    assert_eq!(on_relay, Some(1));

    // And the confirmation itself was stored, so a reload still says saved.
    let mut device = phone(directory);
    for (doc, chunk) in stored.chunks.clone() {
        device.load_chunk(doc, &chunk).unwrap();
    }
    for (doc, heads) in stored.confirmed.clone() {
        device.load_confirmed(doc, heads);
    }
    assert_eq!(view::status(&device).pending, 0);
}

#[test]
fn a_visit_to_an_unknown_household_is_refused_without_a_change() {
    let (mut relay, directory, _) = street();
    let mut device = phone(directory);
    let mut stored = Stored::default();
    connect(&mut device, &mut relay, &mut stored);
    assert!(device.log_visit("c09-b009-h0009", "", NOW).is_err());
    assert!(device.log_visit("not an id!", "", NOW).is_err());
    assert_eq!(view::status(&device).pending, 0);
}

#[test]
fn garbage_from_the_relay_is_an_error_not_a_panic() {
    let (_, directory, _) = street();
    let mut device = phone(directory);
    assert!(device.receive(&[0xff, 0x00, 0x13]).is_err());
    assert!(device.receive(&[]).is_err());
}
