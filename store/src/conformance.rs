//! The conformance suite every [`LocalDocumentStore`] backend must pass.
//!
//! A backend's tests call [`run`] (or [`run_without_audit`] for a device
//! backend that keeps no audit log) with a function making a fresh, empty
//! backend; each check gets its own. A failed check panics with its name
//! and what it expected, like any test assertion. The suite is a future
//! and needs no particular runtime: SQLite's tests drive it with a plain
//! `block_on`, a PostgreSQL backend's with tokio, a browser's with
//! `wasm-bindgen-test`.
//!
//! ```no_run
//! use linli_store::{SqliteBackend, Store, conformance};
//!
//! # async fn example(dir: &std::path::Path) {
//! let mut n = 0;
//! conformance::run(|| {
//!     n += 1;
//!     let store = Store::open_relay(&dir.join(format!("{n}.sqlite"))).unwrap();
//!     std::future::ready(SqliteBackend::new(store))
//! })
//! .await;
//! # }
//! ```

use std::future::Future;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ChangeHash, ROOT};
use linli_protocol::DocumentId;

use crate::{
    Attribution, ChangeCursor, ChunkHash, ChunkKind, ErrorKind, LocalDocumentStore, rebuild,
};

/// Runs every check, audit included, each on a backend from `make`.
pub async fn run<S, F, Fut>(mut make: F)
where
    S: LocalDocumentStore,
    F: FnMut() -> Fut,
    Fut: Future<Output = S>,
{
    run_without_audit(&mut make).await;
    appends_with_an_attribution_are_stored(&make().await).await;
    an_append_whose_attribution_fails_stores_nothing(&make().await).await;
}

/// Runs every check but those of the audit log, for a device's backend.
pub async fn run_without_audit<S, F, Fut>(mut make: F)
where
    S: LocalDocumentStore,
    F: FnMut() -> Fut,
    Fut: Future<Output = S>,
{
    appending_the_same_bytes_twice_stores_one_chunk(&make().await).await;
    appending_nothing_stores_nothing(&make().await).await;
    load_returns_chunks_in_order_and_rebuilds_the_document(&make().await).await;
    a_snapshot_replaces_the_chunks_it_lists(&make().await).await;
    a_snapshot_keeps_chunks_it_does_not_list(&make().await).await;
    a_snapshot_of_a_document_with_no_chunks_stores_it(&make().await).await;
    list_is_sorted_and_ignores_metadata(&make().await).await;
    metadata_is_kept_per_document_and_store_wide(&make().await).await;
    changed_since_names_only_the_documents_that_changed(&make().await).await;
    a_corrupt_chunk_is_corrupt_for_its_document_only(&make().await).await;
}

fn doc(n: u8) -> DocumentId {
    DocumentId::from_bytes([n; 16])
}

/// One small edit, as the incremental bytes to append.
fn edit(am: &mut AutoCommit, i: i64) -> Vec<u8> {
    am.put(ROOT, format!("key-{}", i % 7), i).expect("edit");
    am.commit();
    am.save_incremental()
}

fn heads(am: &automerge::Automerge) -> Vec<ChangeHash> {
    let mut h = am.get_heads();
    h.sort();
    h
}

async fn rebuilt<S: LocalDocumentStore>(store: &S, id: DocumentId) -> automerge::Automerge {
    let chunks = store.load(id).await.expect("load");
    rebuild(&id, &chunks)
        .expect("rebuild")
        .expect("document is stored")
}

async fn appending_the_same_bytes_twice_stores_one_chunk<S: LocalDocumentStore>(store: &S) {
    let mut am = AutoCommit::new();
    let bytes = edit(&mut am, 1);
    store
        .append(doc(1), bytes.clone(), None)
        .await
        .expect("append");
    store
        .append(doc(1), bytes.clone(), None)
        .await
        .expect("append again");
    let chunks = store.load(doc(1)).await.expect("load");
    assert_eq!(
        chunks.len(),
        1,
        "appending the same bytes twice stores one chunk"
    );
    assert_eq!(chunks[0].bytes, bytes);
    assert_eq!(
        chunks[0].hash,
        ChunkHash::of(&bytes),
        "a chunk is keyed by its hash"
    );
    assert_eq!(chunks[0].kind, ChunkKind::Incremental);
}

async fn appending_nothing_stores_nothing<S: LocalDocumentStore>(store: &S) {
    store
        .append(doc(1), Vec::new(), None)
        .await
        .expect("append");
    assert!(store.load(doc(1)).await.expect("load").is_empty());
    assert!(store.list().await.expect("list").is_empty());
}

async fn load_returns_chunks_in_order_and_rebuilds_the_document<S: LocalDocumentStore>(store: &S) {
    assert!(store.load(doc(1)).await.expect("load").is_empty());
    let mut am = AutoCommit::new();
    let mut appended = Vec::new();
    for i in 0..20 {
        let bytes = edit(&mut am, i);
        appended.push(ChunkHash::of(&bytes));
        store.append(doc(1), bytes, None).await.expect("append");
    }
    let chunks = store.load(doc(1)).await.expect("load");
    let order: Vec<ChunkHash> = chunks.iter().map(|c| c.hash.clone()).collect();
    assert_eq!(
        order, appended,
        "incremental chunks load in the order stored"
    );
    let loaded = rebuilt(store, doc(1)).await;
    assert_eq!(heads(&loaded), heads(am.document()));
    assert_eq!(loaded.hydrate(None), am.document().hydrate(None));
}

async fn a_snapshot_replaces_the_chunks_it_lists<S: LocalDocumentStore>(store: &S) {
    let mut am = AutoCommit::new();
    let mut replaced = Vec::new();
    for i in 0..5 {
        let bytes = edit(&mut am, i);
        replaced.push(ChunkHash::of(&bytes));
        store.append(doc(1), bytes, None).await.expect("append");
    }
    let snapshot = am.save();
    store
        .write_snapshot(doc(1), snapshot.clone(), replaced)
        .await
        .expect("snapshot");
    let chunks = store.load(doc(1)).await.expect("load");
    assert_eq!(chunks.len(), 1, "the snapshot replaced every listed chunk");
    assert_eq!(chunks[0].kind, ChunkKind::Snapshot);
    assert_eq!(chunks[0].hash, ChunkHash::of(&snapshot));
    assert_eq!(heads(&rebuilt(store, doc(1)).await), heads(am.document()));

    // Then incremental chunks again, and a second snapshot replacing them
    // and the first snapshot.
    let more = edit(&mut am, 99);
    store
        .append(doc(1), more.clone(), None)
        .await
        .expect("append");
    let second = am.save();
    store
        .write_snapshot(
            doc(1),
            second.clone(),
            vec![ChunkHash::of(&snapshot), ChunkHash::of(&more)],
        )
        .await
        .expect("second snapshot");
    let chunks = store.load(doc(1)).await.expect("load");
    assert_eq!(chunks.len(), 1);
    assert_eq!(chunks[0].hash, ChunkHash::of(&second));
    assert_eq!(heads(&rebuilt(store, doc(1)).await), heads(am.document()));
}

async fn a_snapshot_keeps_chunks_it_does_not_list<S: LocalDocumentStore>(store: &S) {
    let mut mine = AutoCommit::new();
    let first = edit(&mut mine, 1);
    store
        .append(doc(1), first.clone(), None)
        .await
        .expect("append");
    // Another writer appends a change this holder has not seen.
    let mut theirs = AutoCommit::load(&mine.save()).expect("fork");
    theirs.put(ROOT, "theirs", 2).expect("edit");
    theirs.commit();
    let before = mine.get_heads();
    store
        .append(doc(1), theirs.save_after(&before), None)
        .await
        .expect("append theirs");
    store
        .write_snapshot(doc(1), mine.save(), vec![ChunkHash::of(&first)])
        .await
        .expect("snapshot");
    assert_eq!(store.load(doc(1)).await.expect("load").len(), 2);
    assert_eq!(
        heads(&rebuilt(store, doc(1)).await),
        heads(theirs.document()),
        "a snapshot never loses a chunk it does not list"
    );
}

async fn a_snapshot_of_a_document_with_no_chunks_stores_it<S: LocalDocumentStore>(store: &S) {
    let mut am = AutoCommit::new();
    let _ = edit(&mut am, 1);
    store
        .write_snapshot(doc(3), am.save(), Vec::new())
        .await
        .expect("snapshot");
    assert_eq!(store.list().await.expect("list"), [doc(3)]);
    assert_eq!(heads(&rebuilt(store, doc(3)).await), heads(am.document()));
}

async fn list_is_sorted_and_ignores_metadata<S: LocalDocumentStore>(store: &S) {
    for n in [9, 3, 200, 3] {
        let mut am = AutoCommit::new();
        store
            .append(doc(n), edit(&mut am, i64::from(n)), None)
            .await
            .expect("append");
    }
    store
        .doc_meta_set(doc(7), "heads", b"h".to_vec())
        .await
        .expect("doc meta");
    assert_eq!(
        store.list().await.expect("list"),
        [doc(3), doc(9), doc(200)]
    );
}

async fn metadata_is_kept_per_document_and_store_wide<S: LocalDocumentStore>(store: &S) {
    assert_eq!(store.meta_get("peer-id").await.expect("meta"), None);
    store
        .meta_set("peer-id", b"p1".to_vec())
        .await
        .expect("meta");
    store
        .meta_set("peer-id", b"p2".to_vec())
        .await
        .expect("meta");
    store.meta_set("empty", Vec::new()).await.expect("meta");
    assert_eq!(
        store.meta_get("peer-id").await.expect("meta"),
        Some(b"p2".to_vec())
    );
    assert_eq!(
        store.meta_get("empty").await.expect("meta"),
        Some(Vec::new())
    );

    store
        .doc_meta_set(doc(1), "heads", b"a".to_vec())
        .await
        .expect("doc meta");
    store
        .doc_meta_set(doc(2), "heads", b"b".to_vec())
        .await
        .expect("doc meta");
    store
        .doc_meta_set(doc(1), "heads", b"a2".to_vec())
        .await
        .expect("doc meta");
    let get = |n, key| store.doc_meta_get(doc(n), key);
    assert_eq!(get(1, "heads").await.expect("get"), Some(b"a2".to_vec()));
    assert_eq!(get(2, "heads").await.expect("get"), Some(b"b".to_vec()));
    assert_eq!(get(1, "other").await.expect("get"), None);
    assert_eq!(get(3, "heads").await.expect("get"), None);
    assert_eq!(
        store.meta_get("heads").await.expect("meta"),
        None,
        "per-document and store-wide values do not collide"
    );
}

async fn changed_since_names_only_the_documents_that_changed<S: LocalDocumentStore>(store: &S) {
    let empty = store
        .changed_since(ChangeCursor::START)
        .await
        .expect("changed");
    assert!(empty.docs.is_empty());
    let (mut a, mut b) = (AutoCommit::new(), AutoCommit::new());
    store
        .append(doc(1), edit(&mut a, 1), None)
        .await
        .expect("append");
    store
        .append(doc(2), edit(&mut b, 1), None)
        .await
        .expect("append");
    let all = store.changed_since(empty.cursor).await.expect("changed");
    assert_eq!(all.docs, [doc(1), doc(2)]);
    assert!(all.cursor > empty.cursor);
    let quiet = store.changed_since(all.cursor).await.expect("changed");
    assert!(quiet.docs.is_empty(), "nothing changed: {:?}", quiet.docs);
    assert_eq!(quiet.cursor, all.cursor);

    store
        .append(doc(2), edit(&mut b, 2), None)
        .await
        .expect("append");
    let one = store.changed_since(all.cursor).await.expect("changed");
    assert_eq!(one.docs, [doc(2)], "only the document appended to");

    let replaced = store
        .load(doc(1))
        .await
        .expect("load")
        .into_iter()
        .map(|c| c.hash)
        .collect();
    store
        .write_snapshot(doc(1), a.save(), replaced)
        .await
        .expect("snapshot");
    store
        .doc_meta_set(doc(2), "heads", b"x".to_vec())
        .await
        .expect("doc meta");
    let snap = store.changed_since(one.cursor).await.expect("changed");
    assert_eq!(
        snap.docs,
        [doc(1)],
        "a snapshot is a change, metadata is not"
    );
    let again = store
        .changed_since(ChangeCursor::START)
        .await
        .expect("changed");
    assert_eq!(again.docs.len(), 2, "each document once: {:?}", again.docs);
}

async fn a_corrupt_chunk_is_corrupt_for_its_document_only<S: LocalDocumentStore>(store: &S) {
    let mut good = AutoCommit::new();
    store
        .append(doc(1), edit(&mut good, 1), None)
        .await
        .expect("append");
    let mut bad = AutoCommit::new();
    store
        .append(doc(2), edit(&mut bad, 1), None)
        .await
        .expect("append");
    store
        .append(doc(2), b"not automerge at all".to_vec(), None)
        .await
        .expect("a backend stores bytes as given");
    let chunks = store.load(doc(2)).await.expect("load");
    let err = rebuild(&doc(2), &chunks).expect_err("a chunk that does not parse");
    assert_eq!(err.kind(), ErrorKind::Corrupt);
    assert!(err.to_string().contains(&doc(2).to_string()), "{err}");
    assert_eq!(heads(&rebuilt(store, doc(1)).await), heads(good.document()));
    assert_eq!(store.list().await.expect("list"), [doc(1), doc(2)]);
}

async fn appends_with_an_attribution_are_stored<S: LocalDocumentStore>(store: &S) {
    let mut am = AutoCommit::new();
    let bytes = edit(&mut am, 1);
    let audit = Attribution {
        change_hashes: am.get_heads().iter().map(|h| h.to_string()).collect(),
        token_name: "楼长-3号楼".into(),
        at: 1_000,
    };
    store
        .append(doc(1), bytes.clone(), Some(audit.clone()))
        .await
        .expect("audited append");
    store
        .append(doc(1), bytes, Some(audit))
        .await
        .expect("the same audited append again");
    assert_eq!(store.load(doc(1)).await.expect("load").len(), 1);
    assert_eq!(heads(&rebuilt(store, doc(1)).await), heads(am.document()));
}

async fn an_append_whose_attribution_fails_stores_nothing<S: LocalDocumentStore>(store: &S) {
    let mut am = AutoCommit::new();
    let audit = Attribution {
        change_hashes: vec!["not a change hash".into()],
        token_name: "admin".into(),
        at: 5,
    };
    let result = store.append(doc(1), edit(&mut am, 1), Some(audit)).await;
    assert!(result.is_err(), "an unattributable change is refused");
    assert!(
        store.load(doc(1)).await.expect("load").is_empty(),
        "a change is never stored without its attribution"
    );
}
