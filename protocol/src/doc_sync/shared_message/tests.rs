//! Sharing a sync message between peers in the same state is exactly
//! generating one for each: checked on every pass of a randomized relay
//! with peers joining (empty, from an old copy, or with offline edits),
//! leaving, editing and reading at their own pace; and in the end every
//! peer holds every change.

use std::collections::{BTreeMap, VecDeque};

use automerge::transaction::Transactable;
use automerge::{Automerge, ChangeHash, ROOT};
use proptest::prelude::*;

use super::super::*;
use super::generate_alone;

const RELAY: &str = "relay";

fn doc_id() -> DocumentId {
    DocumentId::from_bytes([9; 16])
}

/// [`DocSync::outgoing`], checked against generating for each peer alone:
/// the same message, and the same sync state after.
fn outgoing_checked(relay: &mut DocSync) -> Vec<Message> {
    let mut expected: BTreeMap<PeerId, (Option<Vec<u8>>, automerge::sync::State)> = BTreeMap::new();
    for (id, peer) in &relay.peers {
        let mut state = peer.state.clone();
        let data = generate_alone(&relay.doc, &mut state);
        expected.insert(id.clone(), (data, state));
    }
    let out = relay.outgoing();
    let mut sent: BTreeMap<PeerId, Vec<u8>> = BTreeMap::new();
    for m in &out {
        if let Message::Sync(d) | Message::Request(d) = m {
            sent.insert(d.target_id.clone(), d.data.clone());
        }
    }
    for (id, (data, state)) in expected {
        assert_eq!(sent.get(&id), data.as_ref(), "message to {id}");
        assert_eq!(relay.peers[&id].state, state, "sync state of {id}");
    }
    out
}

struct Client {
    sync: DocSync,
    attached: bool,
    read_only: bool,
    inbox: VecDeque<Message>,
}

struct World {
    relay: DocSync,
    clients: Vec<Client>,
    /// Heads the relay had at some point: where late joiners' copies start.
    history: Vec<Vec<ChangeHash>>,
    edits: u64,
}

fn name(i: usize) -> PeerId {
    format!("peer-{i}").as_str().into()
}

impl World {
    fn new(peers: usize) -> Self {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        tx.put(ROOT, "title", "楼栋 3").unwrap();
        tx.commit();
        let history = vec![doc.get_heads()];
        let clients = (0..peers)
            .map(|i| Client {
                sync: DocSync::new(doc_id(), name(i), Automerge::new()).requesting(),
                attached: false,
                // Every third peer may only read.
                read_only: i % 3 == 2,
                inbox: VecDeque::new(),
            })
            .collect();
        Self {
            relay: DocSync::new(doc_id(), RELAY.into(), doc),
            clients,
            history,
            edits: 0,
        }
    }

    fn join(&mut self, i: usize, from_history: usize) {
        let c = &mut self.clients[i];
        if c.attached {
            return;
        }
        if c.sync.is_empty() && from_history % 2 == 1 {
            // A copy of the document as it was a while ago.
            let heads = &self.history[from_history % self.history.len()];
            let doc = self.relay.doc().fork_at(heads).unwrap();
            c.sync = DocSync::new(doc_id(), name(i), doc).requesting();
        }
        c.sync.attach(RELAY.into(), Access::ReadWrite);
        let access = if c.read_only {
            Access::ReadOnly
        } else {
            Access::ReadWrite
        };
        self.relay.attach(name(i), access);
        c.attached = true;
    }

    fn leave(&mut self, i: usize) {
        let c = &mut self.clients[i];
        c.attached = false;
        c.inbox.clear();
        self.relay.detach(&name(i));
    }

    fn edit(&mut self, i: usize) {
        let c = &mut self.clients[i];
        if c.read_only || c.sync.is_empty() {
            return;
        }
        self.edits += 1;
        let mut tx = c.sync.doc_mut().transaction();
        tx.put(ROOT, format!("k{}", self.edits % 7), self.edits as i64)
            .unwrap();
        tx.commit();
    }

    fn route(&mut self, out: Vec<Message>) {
        for m in out {
            let target = match &m {
                Message::Sync(d) | Message::Request(d) => d.target_id.clone(),
                Message::DocUnavailable { target_id, .. } => target_id.clone(),
                other => panic!("relay sent {other:?}"),
            };
            let i = self
                .clients
                .iter()
                .position(|c| c.sync.local == target)
                .unwrap();
            if self.clients[i].attached {
                self.clients[i].inbox.push_back(m);
            }
        }
    }

    /// Client `i` says what it has to say; the relay answers as
    /// linli-relay does (everyone on new changes, else the sender alone).
    /// Returns whether anything moved.
    fn client_speaks(&mut self, i: usize) -> bool {
        if !self.clients[i].attached {
            return false;
        }
        let out = self.clients[i].sync.outgoing();
        let moved = !out.is_empty();
        for m in out {
            let (kind, d) = match m {
                Message::Sync(d) => (SyncKind::Sync, d),
                Message::Request(d) => (SyncKind::Request, d),
                other => panic!("client sent {other:?}"),
            };
            let got = self.relay.receive(&name(i), kind, &d.data).unwrap();
            assert!(!got.refused_changes, "a read-only peer sent changes");
            let answer = if got.new_changes.is_empty() {
                self.relay.outgoing_to(&name(i)).into_iter().collect()
            } else {
                self.history.push(self.relay.heads());
                outgoing_checked(&mut self.relay)
            };
            self.route(answer);
        }
        moved
    }

    /// Client `i` reads the next message the relay sent it.
    fn client_reads(&mut self, i: usize) -> bool {
        let Some(m) = self.clients[i].inbox.pop_front() else {
            return false;
        };
        let c = &mut self.clients[i].sync;
        match m {
            Message::Sync(d) => {
                c.receive(&RELAY.into(), SyncKind::Sync, &d.data).unwrap();
            }
            Message::Request(d) => {
                c.receive(&RELAY.into(), SyncKind::Request, &d.data)
                    .unwrap();
            }
            Message::DocUnavailable { .. } => c.receive_unavailable(&RELAY.into()),
            other => panic!("relay sent {other:?}"),
        }
        true
    }

    fn step(&mut self, op: u8, i: usize, arg: usize) {
        let i = i % self.clients.len();
        match op % 8 {
            0 => self.join(i, arg),
            1 => self.leave(i),
            2 => self.edit(i),
            3 | 4 => {
                self.client_speaks(i);
            }
            5 | 6 => {
                self.client_reads(i);
            }
            _ => {
                let out = outgoing_checked(&mut self.relay);
                self.route(out);
            }
        }
    }

    /// Everyone joins and talks until nobody has anything to say.
    fn settle(&mut self) {
        for i in 0..self.clients.len() {
            self.join(i, 0);
        }
        for _ in 0..200 {
            let mut moved = false;
            for i in 0..self.clients.len() {
                moved |= self.client_speaks(i);
                while self.client_reads(i) {
                    moved = true;
                }
            }
            if !moved {
                return;
            }
        }
        panic!("sync did not settle");
    }
}

fn sorted(mut heads: Vec<ChangeHash>) -> Vec<ChangeHash> {
    heads.sort();
    heads
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn peers_sharing_a_message_never_miss_a_change(
        peers in 2usize..9,
        ops in proptest::collection::vec((any::<u8>(), any::<u8>(), any::<u8>()), 0..160),
    ) {
        let mut world = World::new(peers);
        for (op, i, arg) in ops {
            world.step(op, i as usize, arg as usize);
        }
        world.settle();
        let relay_heads = sorted(world.relay.heads());
        for (i, c) in world.clients.iter().enumerate() {
            prop_assert_eq!(sorted(c.sync.heads()), relay_heads.clone(), "peer {}", i);
        }
    }
}

#[test]
fn readers_in_step_get_the_same_message_and_state() {
    let mut world = World::new(12);
    for i in 0..12 {
        world.join(i, 0);
    }
    world.settle();
    for round in 0..5 {
        world.edit(round % 2);
        // outgoing_checked compares each reader's message and state with
        // generating for it alone.
        world.client_speaks(round % 2);
        world.settle();
    }
    let relay_heads = sorted(world.relay.heads());
    for c in &world.clients {
        assert_eq!(sorted(c.sync.heads()), relay_heads);
    }
}
