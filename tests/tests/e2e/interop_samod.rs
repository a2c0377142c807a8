//! samod (the Rust automerge-repo) as a peer of linli-relay.
//!
//! Each samod repo runs on its own current-thread runtime (PROTOCOL-NOTES
//! §6: its dialer is steadier there).

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT, ReadDoc};
use samod::{BackoffConfig, Repo};
use tempfile::TempDir;

use super::raw_peer::{RawPeer, new_doc, wanted_doc};
use super::relay_process::{PATIENCE, RelayProcess};

/// Runs `f` with a samod repo dialled to `url`, on a fresh current-thread
/// runtime in its own thread.
pub fn with_samod<R: Send + 'static>(
    url: &str,
    f: impl AsyncFnOnce(&Repo) -> R + Send + 'static,
) -> R {
    let url: url::Url = url.parse().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let repo = Repo::build_tokio().load().await;
            let dialer = repo.dial_websocket(url, BackoffConfig::default()).unwrap();
            tokio::time::timeout(PATIENCE, dialer.established())
                .await
                .expect("samod connect timed out")
                .expect("samod connected");
            let out = f(&repo).await;
            repo.stop().await;
            out
        })
    })
    .join()
    .unwrap()
}

pub fn samod_doc_id(id: linli_protocol::DocumentId) -> samod::DocumentId {
    id.to_string().parse().unwrap()
}

#[tokio::test]
async fn document_created_by_samod_is_read_by_a_linli_peer() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let id = with_samod(&relay.url, async |repo| {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        tx.put(ROOT, "team", "志愿者一队").unwrap();
        tx.commit();
        let handle = repo.create(doc).await.unwrap();
        // samod pushes on create; wait until the relay has acknowledged it.
        wait_until_relay_has(&handle).await;
        handle.document_id().to_string()
    });
    let id: linli_protocol::DocumentId = id.parse().unwrap();
    let mut reader = RawPeer::join(&relay.url, "linli-reader").await;
    let mut copy = wanted_doc("linli-reader", id);
    assert_eq!(reader.sync_doc(&mut copy).await, Some("sync"));
    let team = copy
        .doc()
        .get(ROOT, "team")
        .unwrap()
        .map(|(v, _)| v.to_string());
    assert_eq!(team.as_deref(), Some("\"志愿者一队\""));
}

#[tokio::test]
async fn document_pushed_by_linli_is_found_by_samod() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let mut author = RawPeer::join(&relay.url, "linli-author").await;
    let mut doc = new_doc("linli-author", "building", "5号楼");
    author.sync_doc(&mut doc).await;
    let id = samod_doc_id(doc.document_id());
    let heads = doc.heads();
    let found = with_samod(&relay.url, async move |repo| {
        let handle = tokio::time::timeout(PATIENCE, repo.find(id))
            .await
            .expect("samod find timed out")
            .unwrap()
            .expect("document found");
        handle.with_document(|d| {
            (
                d.get_heads(),
                d.get(ROOT, "building").unwrap().map(|(v, _)| v.to_string()),
            )
        })
    });
    assert_eq!(found.0, heads);
    assert_eq!(found.1.as_deref(), Some("\"5号楼\""));
}

#[tokio::test]
async fn samod_is_told_an_unknown_document_is_unavailable() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let id = samod_doc_id(linli_protocol::DocumentId::random(&mut rand::rng()));
    let found = with_samod(&relay.url, async move |repo| {
        tokio::time::timeout(PATIENCE, repo.find(id))
            .await
            .expect("samod find should end, not hang")
            .unwrap()
            .is_some()
    });
    assert!(!found);
}

/// Waits until some connected peer (the relay) has every change of `handle`.
pub async fn wait_until_relay_has(handle: &samod::DocHandle) {
    use futures::StreamExt;
    let (mut current, mut updates) = handle.peers();
    let conn = loop {
        if let Some(conn) = current.keys().next() {
            break *conn;
        }
        current = tokio::time::timeout(PATIENCE, updates.next())
            .await
            .expect("samod never started syncing the document")
            .expect("samod stopped");
    };
    tokio::time::timeout(PATIENCE, handle.they_have_our_changes(conn))
        .await
        .expect("relay did not acknowledge samod's changes");
}

#[tokio::test]
async fn linli_client_reads_a_samod_document_and_samod_reads_a_linli_one() {
    let dir = TempDir::new().unwrap();
    let relay = RelayProcess::start(dir.path());
    let from_samod = with_samod(&relay.url, async |repo| {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        tx.put(ROOT, "team", "巾帼志愿队").unwrap();
        tx.commit();
        let handle = repo.create(doc).await.unwrap();
        wait_until_relay_has(&handle).await;
        handle.document_id().to_string()
    });
    let home = TempDir::new().unwrap();
    let client = linli_client::Client::open(home.path()).unwrap();
    let id: linli_protocol::DocumentId = from_samod.parse().unwrap();
    client
        .fetch(relay.url.as_str(), id, PATIENCE)
        .await
        .unwrap();
    assert_eq!(
        super::client_sync::get(&client, id, "team").as_deref(),
        Some("巾帼志愿队")
    );

    let mine = client.create().unwrap();
    super::client_sync::put(&client, mine, "building", "7号楼");
    super::client_sync::sync(&client, &relay.url).await;
    let id = samod_doc_id(mine);
    let seen = with_samod(&relay.url, async move |repo| {
        let handle = tokio::time::timeout(PATIENCE, repo.find(id))
            .await
            .unwrap()
            .unwrap()
            .expect("samod finds the linli document");
        handle.with_document(|d| d.get(ROOT, "building").unwrap().map(|(v, _)| v.to_string()))
    });
    assert_eq!(seen.as_deref(), Some("\"7号楼\""));
}

#[tokio::test]
async fn linli_client_syncs_through_a_relay_built_from_samod() {
    let relay = super::samod_relay::SamodRelay::start();
    let (da, db) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let a = linli_client::Client::open(da.path()).unwrap();
    let b = linli_client::Client::open(db.path()).unwrap();
    let doc = a.create().unwrap();
    super::client_sync::put(&a, doc, "household", "h0101");
    super::client_sync::sync(&a, &relay.url).await;
    b.fetch(relay.url.as_str(), doc, PATIENCE).await.unwrap();
    assert_eq!(
        super::client_sync::get(&b, doc, "household").as_deref(),
        Some("h0101")
    );
    super::client_sync::put(&b, doc, "visited", "yes");
    super::client_sync::sync(&b, &relay.url).await;
    super::client_sync::sync(&a, &relay.url).await;
    assert_eq!(
        super::client_sync::get(&a, doc, "visited").as_deref(),
        Some("yes")
    );
}
