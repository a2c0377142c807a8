//! What a hub needs of PostgreSQL beyond the seam: versioned schema,
//! tokens and audit shared by every process, notices of stored changes,
//! and a change cursor that never skips a commit.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};
use linli_protocol::DocumentId;
use linli_store::{Attribution, ChangeCursor, DocumentStore, StoreError, TokenRecord};
use linli_store_pg::test_cluster::TestCluster;
use linli_store_pg::{ChangeListener, Notice, PgStore, SCHEMA_VERSION};
use std::time::Duration;

/// Generous: a notice normally arrives in milliseconds.
const WAIT: Duration = Duration::from_secs(30);

fn doc(n: u8) -> DocumentId {
    DocumentId::from_bytes([n; 16])
}

fn edit(am: &mut AutoCommit, i: i64) -> Vec<u8> {
    am.put(ROOT, "k", i).expect("edit");
    am.commit();
    am.save_incremental()
}

async fn fresh() -> (TestCluster, String) {
    let cluster = TestCluster::start().expect("a test PostgreSQL");
    let url = cluster.create_database().await.expect("a database");
    (cluster, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_from_a_newer_linli_is_refused_and_reopening_keeps_data() {
    let (_cluster, url) = fresh().await;
    let store = PgStore::connect(&url).await.expect("connect");
    assert_eq!(
        store.schema_version().await.expect("version"),
        SCHEMA_VERSION
    );
    store.set_meta("k", b"v".to_vec()).await.expect("meta");
    let again = PgStore::connect(&url)
        .await
        .expect("reconnect migrates nothing");
    assert_eq!(
        again.get_meta("k").await.expect("meta"),
        Some(b"v".to_vec())
    );

    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    client
        .execute(
            "UPDATE schema_version SET version = $1",
            &[&(SCHEMA_VERSION + 1)],
        )
        .await
        .expect("bump version");
    match PgStore::connect(&url).await {
        Err(StoreError::SchemaTooNew { found, supported }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_and_audit_are_shared_and_a_revocation_is_heard_by_other_processes() {
    let (_cluster, url) = fresh().await;
    let one = PgStore::connect(&url).await.expect("connect");
    let other = PgStore::connect(&url).await.expect("connect");
    let mut heard = ChangeListener::start(&other);
    assert_eq!(next(&mut heard).await, Notice::Listening);

    let token = TokenRecord {
        name: "street-a".into(),
        role: "street-relay".into(),
        scope: "".into(),
        hash: vec![1; 32],
        created_at: 1,
        revoked_at: None,
    };
    one.token_insert(&token).await.expect("insert");
    assert!(matches!(
        one.token_insert(&TokenRecord {
            hash: vec![2; 32],
            ..token.clone()
        })
        .await,
        Err(StoreError::TokenNameTaken(_))
    ));
    assert_eq!(next(&mut heard).await, Notice::Admin("tokens".into()));
    assert_eq!(
        other.token_by_hash(&[1; 32]).await.expect("by hash"),
        Some(token)
    );
    assert!(one.token_revoke("street-a", 5).await.expect("revoke"));
    assert!(!one.token_revoke("street-a", 6).await.expect("revoke again"));
    assert_eq!(next(&mut heard).await, Notice::Admin("tokens".into()));
    let tokens = other.tokens().await.expect("tokens");
    assert_eq!(tokens[0].revoked_at, Some(5));

    let mut am = AutoCommit::new();
    let bytes = edit(&mut am, 1);
    let hashes: Vec<String> = am.get_heads().iter().map(|h| h.to_string()).collect();
    one.append(
        doc(1),
        bytes,
        Some(Attribution {
            change_hashes: hashes.clone(),
            token_name: "楼长".into(),
            at: 1_000,
        }),
    )
    .await
    .expect("append");
    assert_eq!(next(&mut heard).await, Notice::Chunks(doc(1)));
    let audit = other.audit(&doc(1), 0).await.expect("audit");
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].change_hash.as_str(), audit[0].token_name.as_str()),
        (hashes[0].as_str(), "楼长")
    );
    let by_token = other.audit_by_token().await.expect("by token");
    assert_eq!(
        (by_token[0].token_name.as_str(), by_token[0].changes),
        ("楼长", 1)
    );
    let recent = other.audit_recent_docs(0, 10).await.expect("recent");
    assert_eq!(recent[0].doc, doc(1));
    other.check_writable().await.expect("writable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_never_skips_an_append_committed_by_concurrent_writers() {
    let (_cluster, url) = fresh().await;
    let store = PgStore::connect(&url).await.expect("connect");
    let writers: Vec<_> = (0..8u8)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                // Each append to a document of its own: a skipped commit
                // would leave its document never named.
                for i in 0..25 {
                    let mut am = AutoCommit::new();
                    store
                        .append(doc(w * 25 + i), edit(&mut am, i64::from(i)), None)
                        .await
                        .expect("append");
                }
            })
        })
        .collect();
    // Read while they write, from the cursor each read hands back.
    let mut cursor = ChangeCursor::START;
    let mut last_seen = std::collections::HashMap::new();
    let mut round = 0u64;
    while !writers.iter().all(|w| w.is_finished()) {
        let changed = store.changed_since(cursor).await.expect("changed");
        assert!(changed.cursor >= cursor);
        for d in changed.docs {
            last_seen.insert(d, round);
        }
        cursor = changed.cursor;
        round += 1;
        tokio::task::yield_now().await;
    }
    for w in writers {
        w.await.expect("writer");
    }
    let rest = store.changed_since(cursor).await.expect("changed");
    let all = store.changed_since(ChangeCursor::START).await.expect("all");
    assert_eq!(all.docs.len(), 200);
    for d in &all.docs {
        assert!(
            rest.docs.contains(d) || last_seen.contains_key(d),
            "{d} was never named"
        );
    }
    assert_eq!(
        store.changed_since(rest.cursor).await.expect("quiet").docs,
        []
    );
    assert_eq!(rest.cursor.max(cursor), all.cursor);
}

async fn next(listener: &mut ChangeListener) -> Notice {
    tokio::time::timeout(WAIT, listener.recv())
        .await
        .expect("a notice within the wait")
        .expect("the listener runs")
}
