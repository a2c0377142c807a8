//! Every role against every kind of document, in and out of scope, through
//! real sockets: exactly the reads and writes of the access table in
//! `server/src/access.rs`, and nothing else.

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};
use linli_protocol::{DocSync, DocumentId, Message, SyncData};
use linli_records::directory::{
    self, Area, BoardEntry, BuildingEntry, Community, Compound, TeamEntry,
};
use linli_records::ids::{AreaId, BoardId, BuildingId, CommunityId, CompoundId, DocUrl, TeamId};
use tempfile::TempDir;

use super::auth::with_token;
use super::raw_peer::{Got, RawPeer, wanted_doc};
use super::relay_process::{RelayProcess, admin};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Can {
    Nothing,
    Read,
    ReadWrite,
}

const DOCS: [&str; 8] = [
    "directory",
    "b1",
    "b2",
    "team-t1",
    "team-t2",
    "board-c1",
    "board-c2",
    "unregistered",
];

/// (token name, role, scope, what it may do with each of DOCS in order).
fn roles() -> Vec<(&'static str, &'static str, &'static str, [Can; 8])> {
    use Can::{Nothing as N, Read as R, ReadWrite as W};
    vec![
        ("admin2", "street-admin", "", [W, W, W, W, W, W, W, W]),
        (
            "grid",
            "grid-worker",
            "building:b1",
            [R, W, N, N, N, W, N, N],
        ),
        (
            "head",
            "building-head",
            "building:b2",
            [R, N, W, N, N, N, W, N],
        ),
        (
            "vol",
            "volunteer",
            "team:t1,community:c1",
            [R, N, N, R, N, W, N, N],
        ),
        (
            "leader",
            "team-leader",
            "team:t2,community:c2",
            [R, N, N, N, W, N, W, N],
        ),
        (
            "viewer",
            "viewer",
            "community:c1,team:t2",
            [R, R, N, N, R, R, N, N],
        ),
        ("area", "area-head", "area:a1", [R, W, N, N, N, W, N, N]),
        (
            "compound",
            "compound-head",
            "compound:k2",
            [R, N, W, N, N, N, W, N],
        ),
    ]
}

pub fn doc_with(key: &str, value: &str) -> Automerge {
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    tx.put(ROOT, key, value).unwrap();
    tx.commit();
    doc
}

/// The street: two communities, a building (in compound k1 of area a1, and
/// k2 of a2), team and board in each, plus a document the directory does not
/// mention.
pub fn street(ids: &[DocumentId; 8]) -> Automerge {
    let url = |i: usize| Some(DocUrl::new(ids[i].url()).unwrap());
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    directory::init(&mut tx, "幸福街道").unwrap();
    for c in ["c1", "c2"] {
        let community = Community::named(format!("{c}社区"));
        directory::put_community(&mut tx, &CommunityId::new(c).unwrap(), &community).unwrap();
    }
    for (a, k, c) in [("a1", "k1", "c1"), ("a2", "k2", "c2")] {
        let community = CommunityId::new(c).unwrap();
        let area = AreaId::new(a).unwrap();
        let entry = Area {
            name: format!("{a}片"),
            community: community.clone(),
        };
        directory::put_area(&mut tx, &area, &entry).unwrap();
        let compound = Compound {
            name: format!("{k}院"),
            community,
            area: Some(area),
            lane: None,
        };
        directory::put_compound(&mut tx, &CompoundId::new(k).unwrap(), &compound).unwrap();
    }
    for (i, b, c, k) in [(1, "b1", "c1", "k1"), (2, "b2", "c2", "k2")] {
        let entry = BuildingEntry {
            name: format!("{b}栋"),
            community: CommunityId::new(c).unwrap(),
            compound: Some(CompoundId::new(k).unwrap()),
            address: String::new(),
            doc: url(i),
        };
        directory::put_building(&mut tx, &BuildingId::new(b).unwrap(), &entry).unwrap();
    }
    for (i, t) in [(3, "t1"), (4, "t2")] {
        let entry = TeamEntry {
            name: t.to_owned(),
            doc: url(i),
        };
        directory::put_team(&mut tx, &TeamId::new(t).unwrap(), &entry).unwrap();
    }
    for (i, c) in [(5, "c1"), (6, "c2")] {
        let entry = BoardEntry {
            community: CommunityId::new(c).unwrap(),
            period: "2026-11".into(),
            doc: url(i),
        };
        directory::put_board(
            &mut tx,
            &BoardId::new(format!("board-{c}")).unwrap(),
            &entry,
        )
        .unwrap();
    }
    tx.commit();
    doc
}

/// A sync message pushing `doc`'s changes since `since`, whatever the relay
/// said about read-only: what a hostile peer would send.
pub fn forced_push(
    peer: &RawPeer,
    id: DocumentId,
    doc: &Automerge,
    since: &[automerge::ChangeHash],
) -> Message {
    let changes: Vec<Vec<u8>> = doc
        .get_changes(since)
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    let message = automerge::sync::Message {
        heads: doc.get_heads(),
        need: Vec::new(),
        have: Vec::new(),
        changes: changes.into(),
        flags: None,
        version: automerge::sync::MessageVersion::V1,
    };
    Message::Sync(SyncData {
        sender_id: peer.id.clone(),
        target_id: peer.relay_id(),
        document_id: id,
        data: message.encode(),
    })
}

/// What the relay holds of `id` now, fetched with the admin token.
async fn relay_copy(relay: &RelayProcess, id: DocumentId, n: usize) -> DocSync {
    let me = format!("checker-{n}");
    let mut peer = RawPeer::join(&relay.url, &me).await;
    let mut copy = wanted_doc(&me, id);
    peer.sync_doc(&mut copy).await;
    copy
}

#[tokio::test]
async fn every_role_reads_and_writes_exactly_what_its_scope_allows() {
    let dir = TempDir::new().unwrap();
    let ids: [DocumentId; 8] = std::array::from_fn(|_| DocumentId::random(&mut rand::rng()));
    let directory_url = ids[0].url();
    let relay = RelayProcess::start_with(dir.path(), &["--directory", &directory_url]);

    // The street admin publishes the street.
    let mut admin_peer = RawPeer::join(&relay.url, "admin").await;
    for (i, id) in ids.iter().enumerate() {
        let content = if i == 0 {
            street(&ids)
        } else {
            doc_with("name", DOCS[i])
        };
        let mut doc = DocSync::new(*id, "admin".into(), content);
        admin_peer.sync_doc(&mut doc).await;
    }
    drop(admin_peer);

    let mut unexpected = Vec::new();
    let mut checks = 0;
    for (name, role, scope, expected) in roles() {
        let mut args = vec!["token", "create", "--role", role, "--name", name];
        if !scope.is_empty() {
            args.extend(["--scope", scope]);
        }
        let secret = admin(&relay.data, &args).trim().to_owned();
        for (i, id) in ids.iter().enumerate() {
            checks += 1;
            let me = format!("{name}-{i}");
            let want = expected[i];
            let mut peer = RawPeer::join(&with_token(&relay, &secret), &me).await;
            let mut copy = wanted_doc(&me, *id);
            let read = peer.sync_doc(&mut copy).await == Some("sync");
            if read != (want != Can::Nothing) {
                unexpected.push(format!("{role} read {}: {read}", DOCS[i]));
            }
            // Now try to write, forcing the change onto the wire.
            let before = copy.heads();
            let mut tx = copy.doc_mut().transaction();
            tx.put(ROOT, "tampered", me.as_str()).unwrap();
            tx.commit();
            let change = copy.heads()[0];
            peer.send(&forced_push(&peer, *id, copy.doc(), &before))
                .await;
            let answer = peer.recv().await;
            let stored = relay_copy(&relay, *id, checks)
                .await
                .doc()
                .get_change_meta_by_hash(&change)
                .is_some();
            if stored != (want == Can::ReadWrite) {
                unexpected.push(format!("{role} write {}: stored={stored}", DOCS[i]));
            }
            match (want, &answer) {
                (Can::Read, Got::Message(Message::Error { message, .. })) => {
                    assert!(message.contains(&id.to_string()), "{message}");
                }
                (Can::Read, other) => {
                    unexpected.push(format!("{role} write {}: no error, got {other:?}", DOCS[i]))
                }
                (Can::Nothing, Got::Message(Message::DocUnavailable { .. })) => {}
                (Can::Nothing, other) => unexpected.push(format!(
                    "{role} write {}: expected doc-unavailable, got {other:?}",
                    DOCS[i]
                )),
                (Can::ReadWrite, _) => {}
            }
        }
    }
    assert_eq!(checks, 64);
    assert!(
        unexpected.is_empty(),
        "unexpected access:\n{}",
        unexpected.join("\n")
    );
}

/// A street published by the admin; returns the documents' ids (as in
/// [`DOCS`]).
pub async fn published_street(relay: &RelayProcess, ids: &[DocumentId; 8]) {
    let mut admin_peer = RawPeer::join(&relay.url, "publisher").await;
    for (i, id) in ids.iter().enumerate() {
        let content = if i == 0 {
            street(ids)
        } else {
            doc_with("name", DOCS[i])
        };
        let mut doc = DocSync::new(*id, "publisher".into(), content);
        admin_peer.sync_doc(&mut doc).await;
    }
}

#[tokio::test]
async fn client_refuses_locally_what_the_relay_would_refuse() {
    let dir = TempDir::new().unwrap();
    let ids: [DocumentId; 8] = std::array::from_fn(|_| DocumentId::random(&mut rand::rng()));
    let relay = RelayProcess::start_with(dir.path(), &["--directory", &ids[0].url()]);
    published_street(&relay, &ids).await;
    let viewer = relay.create_token("viewer", "community:c1", "office-screen");
    let head = relay.create_token("building-head", "building:b1", "wang");
    let b1 = ids[1];

    let home = TempDir::new().unwrap();
    let screen = linli_client::Client::open(home.path()).unwrap();
    let url = with_token(&relay, viewer.trim());
    screen
        .fetch(url.as_str(), b1, super::relay_process::PATIENCE)
        .await
        .unwrap();
    let refused = screen.change(b1, |tx| {
        tx.put(ROOT, "phone", "leak")?;
        Ok(())
    });
    assert!(
        matches!(refused, Err(linli_client::ClientError::ReadOnly { .. })),
        "{refused:?}"
    );

    let home2 = TempDir::new().unwrap();
    let wang = linli_client::Client::open(home2.path()).unwrap();
    let url = with_token(&relay, head.trim());
    wang.fetch(url.as_str(), b1, super::relay_process::PATIENCE)
        .await
        .unwrap();
    super::client_sync::put(&wang, b1, "visited", "yes");
    super::client_sync::sync(&wang, &url).await;
    assert_eq!(
        wang.pending(b1).unwrap().changes,
        0,
        "the head's edit is confirmed"
    );
}

/// What `token`'s holder gets for `id` on a fresh connection: "sync" when
/// she may read it, "doc-unavailable" otherwise.
async fn reads(url: &str, me: &str, id: DocumentId) -> Option<&'static str> {
    let mut peer = RawPeer::join(url, me).await;
    let mut copy = wanted_doc(me, id);
    peer.sync_doc(&mut copy).await
}

/// Waits until `id` answers `want` on fresh connections with `url`. A
/// connection that the relay closes because the directory changed while
/// it asked (4205, "reconnect") is a "not yet": the next one asks again.
async fn until_reads(url: &str, id: DocumentId, want: &'static str) {
    let deadline = tokio::time::Instant::now() + super::relay_process::PATIENCE;
    for attempt in 0.. {
        let me = format!("wang-{attempt}");
        let mut peer = RawPeer::join(url, &me).await;
        let mut copy = wanted_doc(&me, id);
        match peer.try_sync_doc(&mut copy).await {
            Ok(kind) if kind == Some(want) => return,
            Ok(_) => {}
            Err(Got::Message(Message::Error { message, .. })) => {
                assert!(message.contains("access was changed"), "{message}");
            }
            Err(other) => panic!("unexpected {other:?} while syncing"),
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{id} never answered {want}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_building_heads_access_follows_directory_set_without_a_restart() {
    let dir = TempDir::new().unwrap();
    let first: [DocumentId; 8] = std::array::from_fn(|_| DocumentId::random(&mut rand::rng()));
    let second: [DocumentId; 8] = std::array::from_fn(|_| DocumentId::random(&mut rand::rng()));
    let relay = RelayProcess::start(dir.path());
    published_street(&relay, &first).await;
    published_street(&relay, &second).await;
    let head = relay.create_token("building-head", "building:b1", "wang");
    let url = with_token(&relay, &head);
    // No directory yet: nothing says b1 is hers.
    assert_eq!(reads(&url, "wang", first[1]).await, Some("doc-unavailable"));

    admin(&relay.data, &["directory", "set", &first[0].url()]);
    until_reads(&url, first[1], "sync").await;
    assert_eq!(
        reads(&url, "wang", first[2]).await,
        Some("doc-unavailable"),
        "b2 is not hers"
    );

    // The street moves to another directory, whose b1 is another document.
    admin(&relay.data, &["directory", "set", &second[0].url()]);
    until_reads(&url, first[1], "doc-unavailable").await;
    // (Between the switch and the new directory's indexing nothing but the
    // directory is reachable: wait for the new b1 rather than ask once.)
    until_reads(&url, second[1], "sync").await;
}
