//! The document task alone: no sockets, no registry, no SQLite (an
//! in-memory store), tokio's paused clock.
//! Peers are channels; each test drives a peer's own [`DocSync`] against
//! the task and looks at what the task sent and stored.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT, ReadDoc};
use linli_protocol::{Access, DocSync, DocumentId, Message, PeerId, SyncKind};
use linli_store::{DocumentStore, MemoryStore};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::{DocCommand, DocContext, Retire, run};
use crate::access::DocPlace;
use crate::closer::Closer;
use crate::outbound::{ConnRef, Outbound};
use crate::street_directory::StreetDirectory;

const IDLE_EVICT: Duration = Duration::from_secs(30);
/// Far longer than anything a test waits for; on the paused clock it costs
/// nothing.
const PATIENCE: Duration = Duration::from_secs(24 * 3600);

fn relay_id() -> PeerId {
    PeerId::new("relay")
}

/// One document task with a fake retire handle that counts its calls.
struct Task {
    id: DocumentId,
    tx: mpsc::UnboundedSender<DocCommand>,
    handle: JoinHandle<()>,
    retire_asked: Arc<AtomicUsize>,
    storage: MemoryStore,
}

impl Task {
    fn start() -> Self {
        Self::start_with(
            DocumentId::random(&mut rand::rng()),
            StreetDirectory::none(),
        )
    }

    /// The task of document `id`, on a relay whose directory is `directory`.
    fn start_with(id: DocumentId, directory: StreetDirectory) -> Self {
        let storage = MemoryStore::new();
        let ctx = DocContext {
            storage: storage.clone(),
            relay_id: relay_id(),
            idle_evict: IDLE_EVICT,
            directory,
            metrics: crate::metrics::Metrics::new(),
        };
        let retire_asked = Arc::new(AtomicUsize::new(0));
        let asked = retire_asked.clone();
        let retire = Retire::new(move |rx| {
            asked.fetch_add(1, Ordering::SeqCst);
            rx.is_empty()
        });
        let (tx, rx) = mpsc::unbounded_channel();
        let handle = tokio::spawn(run(ctx, id, rx, retire));
        Self {
            id,
            tx,
            handle,
            retire_asked,
            storage,
        }
    }

    fn retire_asked(&self) -> usize {
        self.retire_asked.load(Ordering::SeqCst)
    }

    /// The document as stored, not as held in memory.
    async fn stored(&self) -> Automerge {
        let chunks = self.storage.load(self.id).await.unwrap();
        linli_store::rebuild(&self.id, &chunks)
            .unwrap()
            .unwrap_or_default()
    }

    /// Sends `peer`'s next message on `conn` and waits until it is handled.
    async fn push(&self, peer: &mut Peer, conn: &Conn) {
        let mut messages = peer.doc.outgoing();
        assert_eq!(messages.len(), 1, "{} has one message to send", peer.id);
        let (kind, data) = match messages.remove(0) {
            Message::Request(d) => (SyncKind::Request, d.data),
            Message::Sync(d) => (SyncKind::Sync, d.data),
            other => panic!("unexpected {other:?}"),
        };
        self.send_sync(peer, conn, kind, data).await;
    }

    async fn send_sync(&self, peer: &Peer, conn: &Conn, kind: SyncKind, data: Vec<u8>) {
        let (done, handled) = oneshot::channel();
        self.tx
            .send(DocCommand::Sync {
                peer: peer.id.clone(),
                conn: conn.conn.clone(),
                access: peer.access,
                token: peer.id.to_string(),
                kind,
                data,
                done,
            })
            .unwrap();
        tokio::time::timeout(PATIENCE, handled)
            .await
            .unwrap()
            .unwrap();
    }

    /// Syncs `peer` over `conn` until neither side has anything to say.
    async fn sync(&self, peer: &mut Peer, conn: &mut Conn) {
        self.push(peer, conn).await;
        // A handful of rounds settle any sync; more means the two sides
        // talk past each other.
        for _ in 0..20 {
            if !conn.deliver_to(peer) || peer.doc.in_sync_with(&relay_id()) {
                return;
            }
            self.push(peer, conn).await;
        }
        panic!("{} and the relay never got in sync", peer.id);
    }
}

/// A device on the other end of a channel.
struct Peer {
    id: PeerId,
    access: Access,
    doc: DocSync,
}

impl Peer {
    fn new(name: &str, access: Access, doc: Automerge, id: DocumentId) -> Self {
        let mut sync = DocSync::new(id, PeerId::new(name), doc).requesting();
        sync.attach(relay_id(), Access::ReadWrite);
        Self {
            id: PeerId::new(name),
            access,
            doc: sync,
        }
    }

    fn value(&self, key: &str) -> Option<String> {
        self.doc
            .doc()
            .get(ROOT, key)
            .unwrap()
            .map(|(v, _)| v.as_str().unwrap_or_default().to_owned())
    }
}

/// One socket of a peer, as the task sees it.
struct Conn {
    conn: ConnRef,
    rx: mpsc::Receiver<Outbound>,
}

impl Conn {
    fn new(conn_id: u64) -> Self {
        let (tx, rx) = mpsc::channel(64);
        Self {
            conn: ConnRef::new(conn_id, tx, Closer::new()),
            rx,
        }
    }

    /// Everything the task queued for this socket so far.
    fn sent(&mut self) -> Vec<Outbound> {
        std::iter::from_fn(|| self.rx.try_recv().ok()).collect()
    }

    /// Hands what the task sent to `peer`'s session; whether it sent any
    /// sync message.
    fn deliver_to(&mut self, peer: &mut Peer) -> bool {
        let mut any = false;
        for out in self.sent() {
            let Outbound::Frame(bytes) = out else {
                panic!("{} was sent {out:?}", peer.id);
            };
            match Message::decode(&bytes, usize::MAX).unwrap() {
                Message::Sync(d) | Message::Request(d) => {
                    peer.doc
                        .receive(&relay_id(), SyncKind::Sync, &d.data)
                        .unwrap();
                    any = true;
                }
                other => panic!("{} was sent {other:?}", peer.id),
            }
        }
        any
    }
}

fn doc_with(key: &str, value: &str) -> Automerge {
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    tx.put(ROOT, key, value).unwrap();
    tx.commit();
    doc
}

fn edit(peer: &mut Peer, key: &str, value: &str) {
    let mut tx = peer.doc.doc_mut().transaction();
    tx.put(ROOT, key, value).unwrap();
    tx.commit();
}

#[tokio::test(start_paused = true)]
async fn a_document_nobody_syncs_is_retired_after_the_idle_policy() {
    let task = Task::start();
    let started = tokio::time::Instant::now();
    tokio::time::timeout(PATIENCE, task.handle)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(task.retire_asked.load(Ordering::SeqCst), 1);
    assert!(started.elapsed() >= IDLE_EVICT, "retired early");
}

#[tokio::test(start_paused = true)]
async fn a_document_stays_loaded_while_a_peer_is_attached_and_retires_after_it_leaves() {
    let mut task = Task::start();
    let mut wang = Peer::new("wang", Access::ReadWrite, doc_with("a", "1"), task.id);
    let mut conn = Conn::new(1);
    task.sync(&mut wang, &mut conn).await;

    tokio::time::sleep(IDLE_EVICT * 10).await;
    assert_eq!(task.retire_asked(), 0);
    assert!(!task.handle.is_finished());

    task.tx
        .send(DocCommand::Detach {
            peer: wang.id.clone(),
            conn_id: 1,
        })
        .unwrap();
    let handle = &mut task.handle;
    tokio::time::timeout(PATIENCE, handle)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(task.retire_asked(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_peers_change_is_stored_and_reaches_another_attached_peer() {
    let task = Task::start();
    let mut wang = Peer::new("wang", Access::ReadWrite, doc_with("a", "1"), task.id);
    let mut wang_conn = Conn::new(1);
    task.sync(&mut wang, &mut wang_conn).await;
    let mut li = Peer::new("li", Access::ReadWrite, Automerge::new(), task.id);
    let mut li_conn = Conn::new(2);
    task.sync(&mut li, &mut li_conn).await;
    assert_eq!(li.value("a").as_deref(), Some("1"));

    edit(&mut wang, "visited", "yes");
    task.push(&mut wang, &wang_conn).await;

    assert!(li_conn.deliver_to(&mut li), "li was sent the change");
    assert_eq!(li.value("visited").as_deref(), Some("yes"));
    let stored = task.stored().await;
    assert!(
        stored.get(ROOT, "visited").unwrap().is_some(),
        "stored before it was passed on"
    );
}

#[tokio::test(start_paused = true)]
async fn a_change_storage_cannot_write_is_refused_and_not_passed_on() {
    let task = Task::start();
    let mut wang = Peer::new("wang", Access::ReadWrite, doc_with("a", "1"), task.id);
    let mut wang_conn = Conn::new(1);
    task.sync(&mut wang, &mut wang_conn).await;
    let mut li = Peer::new("li", Access::ReadWrite, Automerge::new(), task.id);
    let mut li_conn = Conn::new(2);
    task.sync(&mut li, &mut li_conn).await;
    assert_eq!(li.value("a").as_deref(), Some("1"));

    task.storage.set_full(true);
    edit(&mut wang, "visited", "yes");
    let change = wang.doc.heads()[0];
    task.push(&mut wang, &wang_conn).await;

    let refused = wang_conn
        .sent()
        .into_iter()
        .any(|out| matches!(out, Outbound::Fatal(why, _) if why.contains("could not store")));
    assert!(refused, "wang is told its change was not stored");
    assert!(
        task.stored()
            .await
            .get_change_meta_by_hash(&change)
            .is_none(),
        "nothing of the change was stored"
    );
    // Li may be sent a fresh start of its sync, never the unstored change.
    li_conn.deliver_to(&mut li);
    assert_eq!(li.value("visited"), None, "the change was not passed on");
}

#[tokio::test(start_paused = true)]
async fn a_read_only_peers_changes_are_refused_and_not_passed_on() {
    let task = Task::start();
    let mut wang = Peer::new("wang", Access::ReadWrite, doc_with("a", "1"), task.id);
    let mut wang_conn = Conn::new(1);
    task.sync(&mut wang, &mut wang_conn).await;
    let mut screen = Peer::new("screen", Access::ReadOnly, Automerge::new(), task.id);
    let mut screen_conn = Conn::new(2);
    task.sync(&mut screen, &mut screen_conn).await;
    assert_eq!(screen.value("a").as_deref(), Some("1"));

    // What a hostile read-only peer sends: its change, whatever it was told.
    let before = screen.doc.heads();
    edit(&mut screen, "phone", "leak");
    let change = screen.doc.heads()[0];
    let forced = forced_push(&screen, &before);
    task.send_sync(&screen, &screen_conn, SyncKind::Sync, forced)
        .await;

    let refused = screen_conn
        .sent()
        .into_iter()
        .any(|out| matches!(out, Outbound::Fatal(why, _) if why.contains("may only read")));
    assert!(refused, "the read-only peer is told its change was refused");
    assert!(
        task.stored()
            .await
            .get_change_meta_by_hash(&change)
            .is_none(),
        "the change was not stored"
    );
    assert!(wang_conn.sent().is_empty(), "nothing was passed on");
}

#[tokio::test(start_paused = true)]
async fn a_new_connection_of_the_same_peer_is_sent_again_what_the_old_one_lost() {
    let task = Task::start();
    let mut wang = Peer::new("wang", Access::ReadWrite, doc_with("a", "1"), task.id);
    let mut wang_conn = Conn::new(1);
    task.sync(&mut wang, &mut wang_conn).await;
    let mut li = Peer::new("li", Access::ReadWrite, Automerge::new(), task.id);
    let mut lost = Conn::new(2);
    task.sync(&mut li, &mut lost).await;

    // Wang's change goes out on li's socket, which dies before it arrives.
    edit(&mut wang, "b", "2");
    task.push(&mut wang, &wang_conn).await;
    assert!(
        !lost.sent().is_empty(),
        "the change was sent to the lost socket"
    );

    // Li reconnects with what she has; the old socket's late detach must
    // not detach the new one.
    let mut li = Peer::new("li", Access::ReadWrite, li.doc.doc().clone(), task.id);
    let mut again = Conn::new(3);
    task.sync(&mut li, &mut again).await;
    assert_eq!(
        li.value("b").as_deref(),
        Some("2"),
        "the lost change is resent"
    );
    task.tx
        .send(DocCommand::Detach {
            peer: li.id.clone(),
            conn_id: 2,
        })
        .unwrap();
    edit(&mut wang, "c", "3");
    task.push(&mut wang, &wang_conn).await;
    assert!(
        again.deliver_to(&mut li),
        "the new socket still gets changes"
    );
    assert_eq!(li.value("c").as_deref(), Some("3"));
}

/// A sync message carrying `peer`'s changes since `since`, whatever the
/// relay said about read-only.
fn forced_push(peer: &Peer, since: &[automerge::ChangeHash]) -> Vec<u8> {
    let doc = peer.doc.doc();
    let changes: Vec<Vec<u8>> = doc
        .get_changes(since)
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    automerge::sync::Message {
        heads: doc.get_heads(),
        need: Vec::new(),
        have: Vec::new(),
        changes: changes.into(),
        flags: None,
        version: automerge::sync::MessageVersion::V1,
    }
    .encode()
}

/// A street directory naming one building, stored in document `building`.
fn directory_naming(building: DocumentId) -> Automerge {
    use linli_records::directory::{self, BuildingEntry, Community};
    use linli_records::ids::{BuildingId, CommunityId, DocUrl};
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    directory::init(&mut tx, "幸福街道").unwrap();
    let c1 = CommunityId::new("c1").unwrap();
    let community = Community::named("东湖社区");
    directory::put_community(&mut tx, &c1, &community).unwrap();
    let entry = BuildingEntry {
        name: "1栋".into(),
        community: c1,
        compound: None,
        address: String::new(),
        doc: Some(DocUrl::new(building.url()).unwrap()),
    };
    directory::put_building(&mut tx, &BuildingId::new("b1").unwrap(), &entry).unwrap();
    tx.commit();
    doc
}

#[tokio::test(start_paused = true)]
async fn the_directorys_task_indexes_it_when_the_setting_names_it() {
    let id = DocumentId::random(&mut rand::rng());
    let building = DocumentId::random(&mut rand::rng());
    let directory = StreetDirectory::none();
    let task = Task::start_with(id, directory.clone());
    let mut admin = Peer::new("admin", Access::ReadWrite, directory_naming(building), id);
    let mut conn = Conn::new(1);
    task.sync(&mut admin, &mut conn).await;
    assert_eq!(
        directory.index().place(&building),
        None,
        "not the directory yet: indexes nothing"
    );

    directory.switch_to(Some(id));
    task.tx.send(DocCommand::PublishDirectory).unwrap();
    // Commands are handled in order: once a later one is done, so is that.
    let mut probe = Peer::new("probe", Access::ReadOnly, Automerge::new(), id);
    task.push(&mut probe, &Conn::new(2)).await;
    assert!(
        matches!(
            directory.index().place(&building),
            Some(DocPlace::Building { building, .. }) if building == "b1"
        ),
        "{:?}",
        directory.index().place(&building)
    );
}
