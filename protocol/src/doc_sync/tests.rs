//! An in-memory network: a relay session and client sessions for one
//! document, with messages moved by hand so links can be cut.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT, ReadDoc};

use super::*;

const RELAY: &str = "relay";

fn doc_id() -> DocumentId {
    DocumentId::from_bytes([7; 16])
}

struct Net {
    relay: DocSync,
    clients: BTreeMap<String, DocSync>,
    /// Everything the relay persisted, in order.
    relay_disk: Vec<Vec<u8>>,
    /// Messages the relay sent, for assertions.
    relay_sent: Vec<Message>,
    /// Relay answers not yet delivered.
    relay_out: Vec<Message>,
}

impl Net {
    fn new(relay_doc: Automerge) -> Self {
        Self {
            relay: DocSync::new(doc_id(), RELAY.into(), relay_doc),
            clients: BTreeMap::new(),
            relay_disk: Vec::new(),
            relay_sent: Vec::new(),
            relay_out: Vec::new(),
        }
    }

    fn add_client(&mut self, name: &str, doc: Automerge) {
        let mut s = DocSync::new(doc_id(), name.into(), doc).requesting();
        s.attach(RELAY.into(), Access::ReadWrite);
        self.relay.attach(name.into(), Access::ReadWrite);
        self.clients.insert(name.into(), s);
    }

    fn edit(&mut self, name: &str, key: &str, value: &str) {
        let doc = self.clients.get_mut(name).unwrap().doc_mut();
        let mut tx = doc.transaction();
        tx.put(ROOT, key, value).unwrap();
        tx.commit();
    }

    /// Moves messages until nobody has anything to say. Messages to clients
    /// in `cut` are dropped.
    fn run(&mut self, cut: &[&str]) {
        for _ in 0..100 {
            let mut moved = false;
            let names: Vec<String> = self.clients.keys().cloned().collect();
            for name in &names {
                let out = self.clients.get_mut(name).unwrap().outgoing();
                for m in out {
                    moved = true;
                    if cut.contains(&name.as_str()) {
                        continue;
                    }
                    self.deliver_to_relay(m);
                }
            }
            for m in std::mem::take(&mut self.relay_out) {
                moved = true;
                self.relay_sent.push(m.clone());
                let target = match &m {
                    Message::Sync(d) | Message::Request(d) => d.target_id.to_string(),
                    Message::DocUnavailable { target_id, .. } => target_id.to_string(),
                    other => panic!("relay sent {other:?}"),
                };
                if cut.contains(&target.as_str()) {
                    continue;
                }
                let client = self.clients.get_mut(&target).unwrap();
                match m {
                    Message::Sync(d) => {
                        client
                            .receive(&RELAY.into(), SyncKind::Sync, &d.data)
                            .unwrap();
                    }
                    Message::Request(d) => {
                        client
                            .receive(&RELAY.into(), SyncKind::Request, &d.data)
                            .unwrap();
                    }
                    Message::DocUnavailable { .. } => client.receive_unavailable(&RELAY.into()),
                    _ => unreachable!(),
                }
            }
            if !moved {
                return;
            }
        }
        panic!("sync did not settle in 100 rounds");
    }

    fn deliver_to_relay(&mut self, m: Message) {
        let (kind, d) = match m {
            Message::Sync(d) => (SyncKind::Sync, d),
            Message::Request(d) => (SyncKind::Request, d),
            other => panic!("client sent {other:?}"),
        };
        let got = self.relay.receive(&d.sender_id, kind, &d.data).unwrap();
        // As linli-relay does: everyone hears of new changes; a message that
        // added nothing is answered to its sender alone.
        if got.new_changes.is_empty() {
            self.relay_out.extend(self.relay.outgoing_to(&d.sender_id));
        } else {
            self.relay_disk.push(got.new_changes);
            self.relay_out.extend(self.relay.outgoing());
        }
    }

    fn value(&self, name: &str, key: &str) -> Option<String> {
        let doc = self.clients[name].doc();
        doc.get(ROOT, key)
            .unwrap()
            .map(|(v, _)| v.into_string().unwrap_or_default())
    }
}

fn started_doc() -> Automerge {
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    tx.put(ROOT, "title", "楼栋 3").unwrap();
    tx.commit();
    doc
}

#[test]
fn two_clients_converge_through_the_relay() {
    let mut net = Net::new(Automerge::new());
    net.add_client("a", started_doc());
    net.add_client("b", Automerge::new());
    net.run(&[]);
    net.edit("b", "phone", "138");
    net.edit("a", "note", "visited");
    net.run(&[]);
    assert_eq!(net.value("b", "title").as_deref(), Some("楼栋 3"));
    assert_eq!(net.value("a", "phone").as_deref(), Some("138"));
    assert_eq!(net.clients["a"].heads(), net.clients["b"].heads());
    assert_eq!(net.relay.heads(), net.clients["a"].heads());
}

#[test]
fn what_the_relay_persisted_rebuilds_its_document() {
    let mut net = Net::new(Automerge::new());
    net.add_client("a", started_doc());
    net.run(&[]);
    for i in 0..5 {
        net.edit("a", "n", &i.to_string());
        net.run(&[]);
    }
    let mut reloaded = Automerge::new();
    for chunk in &net.relay_disk {
        reloaded.load_incremental(chunk).unwrap();
    }
    assert_eq!(reloaded.get_heads(), net.relay.heads());
}

#[test]
fn request_for_an_empty_document_gets_doc_unavailable_once() {
    let mut net = Net::new(Automerge::new());
    net.add_client("a", Automerge::new());
    net.run(&[]);
    let unavailable = net
        .relay_sent
        .iter()
        .filter(|m| matches!(m, Message::DocUnavailable { .. }))
        .count();
    assert_eq!(unavailable, 1);
    assert!(net.clients["a"].peer_lacks(&RELAY.into()));
}

#[test]
fn requester_gets_the_document_when_it_arrives_later() {
    let mut net = Net::new(Automerge::new());
    net.add_client("waiting", Automerge::new());
    net.run(&[]);
    net.add_client("author", started_doc());
    net.run(&[]);
    assert_eq!(net.value("waiting", "title").as_deref(), Some("楼栋 3"));
}

#[test]
fn peer_reattached_after_a_dead_link_gets_everything_it_missed() {
    let mut net = Net::new(Automerge::new());
    net.add_client("a", started_doc());
    net.add_client("b", Automerge::new());
    net.run(&[]);
    // b's link dies silently while the relay keeps sending into it.
    net.edit("a", "phone", "139");
    net.edit("a", "note", "elderly-alone");
    net.run(&["b"]);
    assert_eq!(net.value("b", "phone"), None);
    // b rejoins on a new socket: both sides start its sync state afresh.
    net.relay.attach("b".into(), Access::ReadWrite);
    net.clients
        .get_mut("b")
        .unwrap()
        .attach(RELAY.into(), Access::ReadWrite);
    net.run(&[]);
    assert_eq!(net.value("b", "phone").as_deref(), Some("139"));
    assert_eq!(net.value("b", "note").as_deref(), Some("elderly-alone"));
}

#[test]
fn read_only_peer_changes_are_refused_and_never_persisted() {
    let mut relay = DocSync::new(doc_id(), RELAY.into(), started_doc());
    relay.attach("reader".into(), Access::ReadOnly);
    let mut reader = DocSync::new(doc_id(), "reader".into(), started_doc().fork()).requesting();
    reader.attach(RELAY.into(), Access::ReadWrite);
    let mut tx = reader.doc_mut().transaction();
    tx.put(ROOT, "phone", "leak").unwrap();
    tx.commit();
    let before = relay.heads();
    // A well-behaved peer learns from the relay's read-only flag not to send.
    for _ in 0..10 {
        for m in reader.outgoing() {
            let (Message::Sync(d) | Message::Request(d)) = m else {
                continue;
            };
            let got = relay
                .receive(&"reader".into(), SyncKind::Sync, &d.data)
                .unwrap();
            assert!(got.new_changes.is_empty());
        }
        for m in relay.outgoing() {
            if let Message::Sync(d) = m {
                reader
                    .receive(&RELAY.into(), SyncKind::Sync, &d.data)
                    .unwrap();
            }
        }
    }
    assert_eq!(relay.heads(), before);
    // A hostile one pushes its change anyway.
    let change = reader.doc().get_changes(&before).pop().unwrap();
    let hostile = automerge::sync::Message {
        heads: reader.heads(),
        need: Vec::new(),
        have: Vec::new(),
        changes: vec![change.raw_bytes().to_vec()].into(),
        flags: None,
        version: automerge::sync::MessageVersion::V1,
    };
    let got = relay
        .receive(&"reader".into(), SyncKind::Sync, &hostile.encode())
        .unwrap();
    assert!(got.refused_changes);
    assert!(got.new_changes.is_empty());
    assert_eq!(relay.heads(), before);
    assert!(reader.peer_read_only(&RELAY.into()), "the reader was told");
}

#[test]
fn garbage_sync_data_is_a_typed_error_and_changes_nothing() {
    let mut relay = DocSync::new(doc_id(), RELAY.into(), started_doc());
    relay.attach("p".into(), Access::ReadWrite);
    let before = relay.heads();
    for bad in [&b""[..], b"\x42", b"\x42\xff\xff\xff", b"hello"] {
        let err = relay.receive(&"p".into(), SyncKind::Sync, bad).unwrap_err();
        assert!(matches!(err, SyncError::BadSyncMessage { .. }), "{err}");
    }
    assert_eq!(relay.heads(), before);
}

#[test]
fn unattached_peer_is_refused() {
    let mut relay = DocSync::new(doc_id(), RELAY.into(), started_doc());
    let mut probe = DocSync::new(doc_id(), "p".into(), Automerge::new()).requesting();
    probe.attach(RELAY.into(), Access::ReadWrite);
    let Some(Message::Request(d)) = probe.outgoing().pop() else {
        panic!("expected a request");
    };
    assert!(matches!(
        relay.receive(&"p".into(), SyncKind::Request, &d.data),
        Err(SyncError::NotAttached { .. })
    ));
}

#[test]
fn answering_one_peer_leaves_what_the_others_need_untouched() {
    let mut relay = DocSync::new(doc_id(), RELAY.into(), started_doc());
    relay.attach("a".into(), Access::ReadWrite);
    relay.attach("b".into(), Access::ReadWrite);
    let mut a = DocSync::new(doc_id(), "a".into(), Automerge::new()).requesting();
    a.attach(RELAY.into(), Access::ReadWrite);
    let Some(Message::Request(request)) = a.outgoing().pop() else {
        panic!("a should request the document");
    };
    let got = relay
        .receive(&"a".into(), SyncKind::Request, &request.data)
        .unwrap();
    assert!(got.new_changes.is_empty());
    match relay.outgoing_to(&"a".into()) {
        Some(Message::Sync(d)) => assert_eq!(d.target_id, PeerId::from("a")),
        other => panic!("a should get the document, got {other:?}"),
    }
    // b was not asked: its first message is still owed.
    let rest = relay.outgoing();
    assert_eq!(rest.len(), 1);
    assert!(matches!(&rest[0], Message::Sync(d) if d.target_id == PeerId::from("b")));
    assert!(relay.outgoing_to(&"nobody".into()).is_none());
}

/// A document whose whole encoding is above [`MIN_KEPT_BYTES`]: many keys
/// holding text that does not compress away.
fn large_doc() -> Automerge {
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..4000 {
        let mut value = String::new();
        for _ in 0..4 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            value.push_str(&format!("{x:016x}"));
        }
        tx.put(ROOT, format!("household-{i}"), value).unwrap();
    }
    tx.commit();
    doc
}

/// The whole-document bytes of the first `sync` the relay sent `to`.
fn first_whole_doc_sent(net: &Net, to: &str) -> Vec<u8> {
    net.relay_sent
        .iter()
        .find_map(|m| match m {
            Message::Sync(d) if d.target_id.to_string() == to => Some(
                automerge::sync::Message::decode(&d.data)
                    .unwrap()
                    .changes
                    .iter()
                    .flatten()
                    .copied()
                    .collect(),
            ),
            _ => None,
        })
        .unwrap()
}

#[test]
fn fresh_peer_gets_the_offered_bytes_then_later_edits() {
    let mut net = Net::new(large_doc());
    // Bytes that differ from what `save()` makes but load into the same
    // document: seeing them on the wire shows the relay did not save anew.
    let offered = net.relay.doc().save_nocompress();
    assert_ne!(offered, net.relay.doc().save());
    net.relay.offer_whole(offered.clone());
    assert_eq!(net.relay.kept_bytes(), offered.len());

    net.add_client("fresh", Automerge::new());
    net.add_client("author", Automerge::new());
    net.run(&[]);
    assert_eq!(first_whole_doc_sent(&net, "fresh"), offered);
    assert_eq!(net.clients["fresh"].heads(), net.relay.heads());
    assert!(net.relay.in_sync_with(&"fresh".into()));

    // Afterwards the fresh peer's sync goes on as any other's.
    net.edit("author", "note", "visited");
    net.run(&[]);
    assert_eq!(net.value("fresh", "note").as_deref(), Some("visited"));
    assert_eq!(net.clients["fresh"].heads(), net.relay.heads());
    // The kept bytes no longer match the document: dropped.
    assert_eq!(net.relay.kept_bytes(), 0);
}

#[test]
fn second_fresh_peer_is_answered_from_the_first_ones_save() {
    let mut net = Net::new(large_doc());
    assert_eq!(net.relay.kept_bytes(), 0);
    net.add_client("first", Automerge::new());
    net.run(&[]);
    let kept = net.relay.kept_bytes();
    assert!(kept >= MIN_KEPT_BYTES, "kept {kept} bytes");
    net.add_client("second", Automerge::new());
    net.run(&[]);
    assert_eq!(
        first_whole_doc_sent(&net, "first"),
        first_whole_doc_sent(&net, "second")
    );
    assert_eq!(net.clients["second"].heads(), net.relay.heads());
    // A fresh peer after an edit gets the edit too.
    net.edit("second", "note", "moved out");
    net.run(&[]);
    net.add_client("third", Automerge::new());
    net.run(&[]);
    assert_eq!(net.value("third", "note").as_deref(), Some("moved out"));
    assert_eq!(net.value("first", "note").as_deref(), Some("moved out"));
}

#[test]
fn small_document_is_not_kept() {
    let mut net = Net::new(started_doc());
    net.relay.offer_whole(net.relay.doc().save());
    assert_eq!(net.relay.kept_bytes(), 0);
    net.add_client("fresh", Automerge::new());
    net.run(&[]);
    assert_eq!(net.relay.kept_bytes(), 0);
    assert_eq!(net.value("fresh", "title").as_deref(), Some("楼栋 3"));
}

#[test]
fn a_whole_document_received_into_an_empty_one_is_persisted_as_it_came() {
    let mut net = Net::new(Automerge::new());
    net.add_client("author", large_doc());
    net.run(&[]);
    // The relay stored the bytes the author sent, once, and they rebuild
    // its document.
    assert_eq!(net.relay_disk.len(), 1);
    let reloaded = Automerge::load(&net.relay_disk[0]).unwrap();
    assert_eq!(reloaded.get_heads(), net.relay.heads());
    // A fresh peer fetching it gets every change too.
    net.add_client("fresh", Automerge::new());
    net.run(&[]);
    assert_eq!(net.clients["fresh"].heads(), net.relay.heads());
    net.edit("fresh", "note", "visited");
    net.run(&[]);
    assert_eq!(net.value("author", "note").as_deref(), Some("visited"));
}
