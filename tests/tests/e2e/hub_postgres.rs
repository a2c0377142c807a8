//! A district hub on PostgreSQL, as real `linli-relay` processes on a real
//! PostgreSQL (the one in `LINLI_TEST_POSTGRES`, else a throwaway cluster
//! these tests start): two hub processes on one database serve the same
//! documents and tokens, and a SIGKILLed hub loses nothing it confirmed.

use std::path::Path;

use linli_protocol::{DocSync, Message, SyncKind};
use linli_store_pg::test_cluster::TestCluster;
use tempfile::TempDir;

use super::crash::{confirmed_changes_survive_sigkill, edit};
use super::raw_peer::{Got, RawPeer, new_doc, wanted_doc};
use super::relay_process::{PATIENCE, RelayProcess, admin};

/// A hub process on `db`. The first one on a database makes the
/// street-admin token; a later one finds tokens there already and makes
/// none, so it is handed the first one's token file (as an operator
/// deploying a second hub node would be).
fn hub(data: &Path, db: &str, first: Option<&RelayProcess>) -> RelayProcess {
    if let Some(first) = first {
        std::fs::copy(first.data.join("admin-token"), data.join("admin-token"))
            .expect("copy the admin token");
    }
    RelayProcess::start_with(data, &["--storage", db])
}

/// Receives what the relay sends about `copy` until it has `want`'s heads.
async fn until_heads(peer: &mut RawPeer, copy: &mut DocSync, want: &DocSync) {
    let relay = peer.relay_id();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while copy.heads() != want.heads() {
        let got = tokio::time::timeout_at(deadline, peer.recv())
            .await
            .expect("the other hub's edit arrives");
        match got {
            Got::Message(Message::Sync(d)) => {
                copy.receive(&relay, SyncKind::Sync, &d.data)
                    .expect("relay sync data");
                for m in copy.outgoing() {
                    peer.send(&m).await;
                }
            }
            other => panic!("unexpected {other:?} while waiting for the edit"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hub_processes_on_one_postgres_each_peer_sees_the_others_edit() {
    let cluster = TestCluster::start().expect("a test PostgreSQL");
    let db = cluster.create_database().await.expect("a database");
    let (dir_a, dir_b) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let hub_a = hub(dir_a.path(), &db, None);
    let hub_b = hub(dir_b.path(), &db, Some(&hub_a));

    let mut on_a = RawPeer::join(&hub_a.url, "district-admin").await;
    let mut doc = new_doc("district-admin", "task", "check the key groups");
    on_a.sync_doc(&mut doc).await;

    // The same token works on the other process, and the document stored
    // through A is there.
    let mut on_b = RawPeer::join(&hub_b.url, "street-b").await;
    let mut copy = wanted_doc("street-b", doc.document_id());
    assert_eq!(on_b.sync_doc(&mut copy).await, Some("sync"));
    assert_eq!(copy.heads(), doc.heads());

    // An edit through A reaches the peer on B, which asked for nothing.
    edit(&mut doc, "status", "claimed by street A");
    on_a.sync_doc(&mut doc).await;
    until_heads(&mut on_b, &mut copy, &doc).await;

    // And the other way round.
    edit(&mut copy, "done", "street B");
    on_b.sync_doc(&mut copy).await;
    until_heads(&mut on_a, &mut doc, &copy).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_revoked_through_one_hub_process_is_refused_by_the_other() {
    let cluster = TestCluster::start().expect("a test PostgreSQL");
    let db = cluster.create_database().await.expect("a database");
    let (dir_a, dir_b) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let hub_a = hub(dir_a.path(), &db, None);
    let hub_b = hub(dir_b.path(), &db, Some(&hub_a));
    let token = admin(
        &hub_a.data,
        &[
            "token",
            "create",
            "--role",
            "street-admin",
            "--name",
            "street-b-relay",
            "--storage",
            &db,
        ],
    )
    .trim()
    .to_owned();
    let listed = admin(&hub_b.data, &["token", "list", "--storage", &db]);
    assert!(listed.contains("street-b-relay"), "{listed}");
    let mut street = RawPeer::join(&format!("{}?token={token}", hub_b.bare_url), "street-b").await;
    admin(
        &hub_a.data,
        &["token", "revoke", "street-b-relay", "--storage", &db],
    );
    assert_eq!(
        street.recv_close().await,
        Some((4403, "token revoked".to_owned()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirmed_changes_survive_sigkill_of_a_hub_on_postgres() {
    let cluster = TestCluster::start().expect("a test PostgreSQL");
    let db = cluster.create_database().await.expect("a database");
    let dir = TempDir::new().unwrap();
    let mut relay = hub(dir.path(), &db, None);
    confirmed_changes_survive_sigkill(&mut relay, "street-a").await;
}
