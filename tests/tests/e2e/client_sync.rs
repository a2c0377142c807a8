//! linli's own client library against the real relay: convergence, long
//! offline stretches, a relay crash, live updates across a reconnect.

use std::time::Duration;

use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use linli_client::{Client, DocEventKind};
use tempfile::TempDir;

use super::relay_process::{PATIENCE, RelayProcess};

pub fn put(client: &Client, doc: linli_client::DocumentId, key: &str, value: &str) {
    client
        .change(doc, |tx| {
            tx.put(ROOT, key, value)?;
            Ok(())
        })
        .unwrap();
}

pub fn get(client: &Client, doc: linli_client::DocumentId, key: &str) -> Option<String> {
    client
        .read(doc, |d| {
            d.get(ROOT, key)
                .unwrap()
                .and_then(|(v, _)| v.into_string().ok())
        })
        .unwrap()
}

pub async fn sync(client: &Client, url: &str) {
    let report = client.sync_until_idle(url, PATIENCE).await.unwrap();
    assert!(report.is_complete(), "{report}");
}

#[tokio::test]
async fn two_clients_converge_through_the_relay() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let (da, db) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let a = Client::open(da.path()).unwrap();
    let b = Client::open(db.path()).unwrap();
    let doc = a.create().unwrap();
    put(&a, doc, "building", "3号楼");
    sync(&a, &relay.url).await;
    assert_eq!(a.pending(doc).unwrap().changes, 0);

    b.want(doc).unwrap();
    sync(&b, &relay.url).await;
    put(&b, doc, "phone", "139-0000-0000");
    put(&a, doc, "note", "visited");
    sync(&b, &relay.url).await;
    sync(&a, &relay.url).await;
    sync(&b, &relay.url).await;
    assert_eq!(get(&b, doc, "building").as_deref(), Some("3号楼"));
    assert_eq!(get(&b, doc, "note").as_deref(), Some("visited"));
    assert_eq!(get(&a, doc, "phone").as_deref(), Some("139-0000-0000"));
    assert_eq!(a.heads(doc).unwrap(), b.heads(doc).unwrap());
}

#[tokio::test]
async fn hundred_offline_edits_each_side_converge_with_nothing_lost() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let (da, db) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let a = Client::open(da.path()).unwrap();
    let b = Client::open(db.path()).unwrap();
    let doc = a.create().unwrap();
    sync(&a, &relay.url).await;
    b.want(doc).unwrap();
    sync(&b, &relay.url).await;

    // A is offline for weeks; B keeps working and syncing.
    for i in 0..100 {
        put(&a, doc, &format!("a{i}"), "door-to-door");
        put(&b, doc, &format!("b{i}"), "phone call");
    }
    assert_eq!(a.pending(doc).unwrap().changes, 100);
    sync(&b, &relay.url).await;
    sync(&a, &relay.url).await;
    sync(&b, &relay.url).await;
    for i in 0..100 {
        for c in [&a, &b] {
            assert!(get(c, doc, &format!("a{i}")).is_some(), "a{i} lost");
            assert!(get(c, doc, &format!("b{i}")).is_some(), "b{i} lost");
        }
    }
    assert_eq!(a.heads(doc).unwrap(), b.heads(doc).unwrap());
    assert_eq!(a.pending(doc).unwrap().changes, 0);
}

#[tokio::test]
async fn changes_confirmed_before_a_relay_sigkill_reach_a_fresh_client() {
    let dir = TempDir::new().unwrap();
    let mut relay = RelayProcess::start(dir.path());
    let da = TempDir::new().unwrap();
    let a = Client::open(da.path()).unwrap();
    let mut docs = Vec::new();
    for n in 0..3 {
        let doc = a.create().unwrap();
        for i in 0..30 {
            put(&a, doc, &format!("h{i}"), &format!("{n}-{i}"));
        }
        docs.push(doc);
    }
    sync(&a, &relay.url).await;
    assert_eq!(a.summary().unwrap().pending.changes, 0, "all confirmed");
    relay.kill9();
    relay.restart();
    let dc = TempDir::new().unwrap();
    let fresh = Client::open(dc.path()).unwrap();
    for doc in &docs {
        fresh.want(*doc).unwrap();
    }
    sync(&fresh, &relay.url).await;
    for doc in &docs {
        assert_eq!(fresh.heads(*doc).unwrap(), a.heads(*doc).unwrap());
    }
}

#[tokio::test]
async fn live_client_resumes_after_the_relay_restarts_and_sees_remote_edits() {
    let dir = TempDir::new().unwrap();
    let mut relay = RelayProcess::start(dir.path());
    let (da, db) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let a = Client::open(da.path()).unwrap();
    let b = Client::open(db.path()).unwrap();
    let doc = a.create().unwrap();
    sync(&a, &relay.url).await;

    let handle = a.connect(relay.url.as_str()).unwrap();
    assert!(handle.wait_connected(PATIENCE).await);
    let mut events = a.subscribe(doc);
    relay.kill9();
    relay.restart();
    // The loop reconnects on its own, with backoff.
    assert!(handle.wait_connected(PATIENCE).await);

    b.want(doc).unwrap();
    sync(&b, &relay.url).await;
    put(&b, doc, "volunteer", "李");
    sync(&b, &relay.url).await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("no remote event in time")
            .expect("events closed");
        if event.kind == DocEventKind::Remote && get(&a, doc, "volunteer").is_some() {
            break;
        }
    }
    handle.stop().await;
    let _ = Duration::ZERO;
}

#[tokio::test]
async fn unknown_document_is_reported_unavailable() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let da = TempDir::new().unwrap();
    let a = Client::open(da.path()).unwrap();
    let missing = linli_protocol::DocumentId::random(&mut rand::rng());
    let result = a.fetch(relay.url.as_str(), missing, PATIENCE).await;
    assert!(
        matches!(result, Err(linli_client::ClientError::Unavailable { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_running_sync_loop_pushes_what_another_process_wrote_to_the_same_store() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let home = TempDir::new().unwrap();
    // An app keeps the sync loop running on the device...
    let app = Client::open(home.path()).unwrap();
    let doc = app.create().unwrap();
    put(&app, doc, "building", "3号楼");
    let handle = app.connect(relay.url.as_str()).unwrap();
    assert!(handle.wait_connected(PATIENCE).await);
    let mut events = app.subscribe_all();

    // ... while the `linli` CLI (another SQLite connection to the same
    // store, as another process has) edits one document and creates one.
    let cli = Client::open(home.path()).unwrap();
    put(&cli, doc, "note", "visited");
    let created = cli.create().unwrap();
    put(&cli, created, "building", "4号楼");
    let mut expected = std::collections::HashMap::from([
        (doc, sorted(cli.heads(doc).unwrap())),
        (created, sorted(cli.heads(created).unwrap())),
    ]);

    // The app's loop notices and the relay confirms both, no reconnect.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !expected.is_empty() {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("the relay did not confirm the other process's changes in time")
            .expect("events closed");
        if event.kind == DocEventKind::Confirmed
            && expected.get(&event.doc) == Some(&sorted(event.heads.clone()))
        {
            expected.remove(&event.doc);
        }
    }
    handle.stop().await;

    let other = TempDir::new().unwrap();
    let fresh = Client::open(other.path()).unwrap();
    fresh.want(doc).unwrap();
    fresh.want(created).unwrap();
    sync(&fresh, &relay.url).await;
    assert_eq!(get(&fresh, doc, "note").as_deref(), Some("visited"));
    assert_eq!(get(&fresh, created, "building").as_deref(), Some("4号楼"));
}

fn sorted(mut heads: Vec<automerge::ChangeHash>) -> Vec<automerge::ChangeHash> {
    heads.sort();
    heads
}
