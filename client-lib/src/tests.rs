//! Client behaviour over real SQLite files in temporary directories.

use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use linli_store::Store;
use serde_json::json;

use crate::meta_keys::RELAY_HEADS as RELAY_HEADS_KEY;
use crate::{Client, ClientError, DocEventKind, EditError, STORE_FILE, heads, json};

fn name_of(client: &Client, doc: crate::DocumentId) -> Option<String> {
    client
        .read(doc, |am| {
            am.get(ROOT, "name")
                .unwrap()
                .map(|(v, _)| v.as_str().unwrap_or_default().to_owned())
        })
        .unwrap()
}

#[test]
fn a_change_is_durable_once_change_returns() {
    let dir = tempfile::tempdir().unwrap();
    let doc = {
        let client = Client::open(dir.path()).unwrap();
        let doc = client.create().unwrap();
        client
            .change(doc, |tx| {
                tx.put(ROOT, "name", "3号楼")?;
                Ok(())
            })
            .unwrap();
        doc
        // client dropped without any shutdown step
    };
    let reopened = Client::open(dir.path()).unwrap();
    assert_eq!(name_of(&reopened, doc).as_deref(), Some("3号楼"));
    assert_eq!(reopened.documents().unwrap(), vec![doc]);

    // The raw store sees it too, independently of the client.
    let store = Store::open(&dir.path().join(STORE_FILE)).unwrap();
    let am = store.load(&doc).unwrap().unwrap();
    assert!(am.get(ROOT, "name").unwrap().is_some());
}

#[test]
fn two_clients_on_one_directory_both_keep_their_edits() {
    let dir = tempfile::tempdir().unwrap();
    let a = Client::open(dir.path()).unwrap();
    let doc = a.create().unwrap();
    let b = Client::open(dir.path()).unwrap();
    a.change(doc, |tx| Ok(tx.put(ROOT, "a", 1)?)).unwrap();
    b.change(doc, |tx| Ok(tx.put(ROOT, "b", 2)?)).unwrap();
    let fresh = Client::open(dir.path()).unwrap();
    let shown = fresh.read(doc, json::to_json).unwrap();
    assert_eq!(shown, json!({"a": 1, "b": 2}));
    assert_eq!(fresh.pending(doc).unwrap().changes, 3);
}

#[test]
fn a_new_document_has_a_head_and_one_pending_change() {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::open(dir.path()).unwrap();
    let doc = client.create().unwrap();
    assert_eq!(client.heads(doc).unwrap().len(), 1);
    let pending = client.pending(doc).unwrap();
    assert_eq!(pending.changes, 1);
    assert!(pending.oldest.is_some());
    assert_eq!(client.read(doc, json::to_json).unwrap(), json!({}));
}

#[test]
fn pending_counts_local_changes_and_drops_to_zero_when_relay_heads_are_stored() {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::open(dir.path()).unwrap();
    let doc = client.create().unwrap();
    for i in 0..3 {
        client.change(doc, |tx| Ok(tx.put(ROOT, "n", i)?)).unwrap();
    }
    assert_eq!(client.pending(doc).unwrap().changes, 4);
    let halfway = client.heads(doc).unwrap();
    client.change(doc, |tx| Ok(tx.put(ROOT, "n", 99)?)).unwrap();

    // The relay confirms the first four changes, as the sync loop would
    // record it (written through a separate store handle, like another
    // process running `linli sync`).
    let mut store = Store::open(&dir.path().join(STORE_FILE)).unwrap();
    store
        .doc_meta_set(&doc, RELAY_HEADS_KEY, &heads::encode(&halfway))
        .unwrap();
    assert_eq!(client.pending(doc).unwrap().changes, 1);
    let summary = client.summary().unwrap();
    assert_eq!(summary.documents, 1);
    assert_eq!(summary.pending.changes, 1);
    assert_eq!(summary.pending_documents.len(), 1);

    store
        .doc_meta_set(
            &doc,
            RELAY_HEADS_KEY,
            &heads::encode(&client.heads(doc).unwrap()),
        )
        .unwrap();
    assert!(client.pending(doc).unwrap().is_empty());
    let summary = client.summary().unwrap();
    assert!(summary.pending.is_empty());
    assert!(summary.pending.oldest.is_none());
    assert!(summary.pending_documents.is_empty());
}

#[test]
fn changes_from_other_devices_are_not_pending() {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::open(dir.path()).unwrap();
    let doc = client.create().unwrap();
    // Another device's change arrives in the store (as the relay would
    // deliver it).
    let mut other = client.read(doc, |am| am.fork()).unwrap();
    other.set_actor(automerge::ActorId::random());
    let before = other.get_heads();
    let mut tx = other.transaction();
    tx.put(ROOT, "from", "elsewhere").unwrap();
    tx.commit();
    let mut store = Store::open(&dir.path().join(STORE_FILE)).unwrap();
    store.append(&doc, &other.save_after(&before)).unwrap();
    let fresh = Client::open(dir.path()).unwrap();
    assert_eq!(fresh.pending(doc).unwrap().changes, 1, "only the creation");
}

#[test]
fn a_failed_edit_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::open(dir.path()).unwrap();
    let doc = client.create().unwrap();
    let heads = client.heads(doc).unwrap();
    let err = client
        .change(doc, |tx| {
            tx.put(ROOT, "half", 1)?;
            Err::<(), _>(EditError::other("changed my mind"))
        })
        .unwrap_err();
    assert!(matches!(err, ClientError::Edit { .. }), "{err:?}");
    assert_eq!(client.heads(doc).unwrap(), heads);
    assert_eq!(client.read(doc, json::to_json).unwrap(), json!({}));
    // An edit that does nothing makes no change either.
    client.change(doc, |_| Ok(())).unwrap();
    assert_eq!(client.heads(doc).unwrap(), heads);
}

#[test]
fn unknown_documents_are_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::open(dir.path()).unwrap();
    let doc = crate::DocumentId::random(&mut rand::rng());
    assert!(matches!(
        client.read(doc, |_| ()),
        Err(ClientError::NotFound { .. })
    ));
    assert!(matches!(
        client.change(doc, |_| Ok(())),
        Err(ClientError::NotFound { .. })
    ));
    assert!(client.pending(doc).unwrap().is_empty());
}

#[test]
fn wanted_documents_are_remembered_for_other_processes() {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::open(dir.path()).unwrap();
    let doc = crate::DocumentId::random(&mut rand::rng());
    assert!(client.want(doc).unwrap());
    assert!(client.want(doc).unwrap(), "wanting twice is harmless");
    // Still not readable: it has no data yet.
    assert!(matches!(
        client.read(doc, |_| ()),
        Err(ClientError::NotFound { .. })
    ));
    let other = Client::open(dir.path()).unwrap();
    assert_eq!(other.wanted().unwrap(), vec![doc]);
    assert_eq!(other.summary().unwrap().wanted, vec![doc]);
    let local = client.create().unwrap();
    assert!(
        !client.want(local).unwrap(),
        "a local document is not wanted"
    );
}

#[test]
fn wanting_documents_already_wanted_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::open(dir.path()).unwrap();
    let mut rng = rand::rng();
    let docs = [
        crate::DocumentId::random(&mut rng),
        crate::DocumentId::random(&mut rng),
    ];
    assert_eq!(client.want_all(&docs).unwrap(), 2);
    // Another connection sees `data_version` move whenever this client
    // commits anything.
    let watcher = rusqlite::Connection::open(dir.path().join(STORE_FILE)).unwrap();
    let version = || -> i64 {
        watcher
            .pragma_query_value(None, "data_version", |r| r.get(0))
            .unwrap()
    };
    let before = version();
    assert_eq!(client.want_all(&docs).unwrap(), 0);
    assert_eq!(
        version(),
        before,
        "an unchanged wanted list is not rewritten"
    );
    let third = crate::DocumentId::random(&mut rng);
    assert_eq!(client.want_all(&[docs[0], third]).unwrap(), 1);
    assert_ne!(version(), before);
    let other = Client::open(dir.path()).unwrap();
    assert_eq!(other.wanted().unwrap(), vec![docs[0], docs[1], third]);
}

#[test]
fn identity_and_relay_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::open(dir.path().join("nested/dir")).unwrap();
    assert_eq!(client.relay().unwrap(), None);
    let stored = client.set_relay("ws://127.0.0.1:9/sync").unwrap();
    assert_eq!(stored, "ws://127.0.0.1:9/sync");
    assert!(matches!(
        client.set_relay("http://x/sync"),
        Err(ClientError::BadRelayUrl { .. })
    ));
    let again = Client::open(dir.path().join("nested/dir")).unwrap();
    assert_eq!(again.peer_id(), client.peer_id());
    assert_eq!(again.storage_id(), client.storage_id());
    assert_eq!(
        again.relay().unwrap().as_deref(),
        Some("ws://127.0.0.1:9/sync")
    );
}

#[tokio::test]
async fn subscribers_hear_local_changes_with_the_new_heads() {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::open(dir.path()).unwrap();
    let doc = client.create().unwrap();
    let mut events = client.subscribe(doc);
    let mut all = client.subscribe_all();
    client
        .change(doc, |tx| Ok(tx.put(ROOT, "k", "v")?))
        .unwrap();
    let event = events.recv().await.unwrap();
    assert_eq!(event.doc, doc);
    assert_eq!(event.kind, DocEventKind::Local);
    assert_eq!(event.heads, client.heads(doc).unwrap());
    assert_eq!(all.recv().await.unwrap(), event);
}

#[test]
fn create_with_makes_the_first_change_carry_the_content() {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::open(dir.path()).unwrap();
    let (doc, ()) = client
        .create_with(|tx| {
            json::set_path(tx, &["name".into()], &json!("幸福里"))?;
            Ok(())
        })
        .unwrap();
    assert_eq!(client.pending(doc).unwrap().changes, 1);
    assert_eq!(name_of(&client, doc).as_deref(), Some("幸福里"));
}
