//! The chain of heads: an area head (片长) sees exactly the buildings of
//! her area, and when the directory moves a building out of a compound,
//! its compound head loses it live: the relay closes the connection, and
//! on reconnecting the building is unavailable to her.

use linli_records::directory;
use linli_records::ids::{BuildingId, CompoundId};

use super::auth::with_token;
use super::raw_peer::{RawPeer, wanted_doc};
use super::relay_process::RelayProcess;

#[tokio::test]
async fn an_area_head_sees_her_area_and_a_compound_head_loses_a_building_moved_away_live() {
    let dir = tempfile::TempDir::new().unwrap();
    let ids: [linli_protocol::DocumentId; 8] =
        std::array::from_fn(|_| linli_protocol::DocumentId::random(&mut rand::rng()));
    let relay = RelayProcess::start_with(dir.path(), &["--directory", &ids[0].url()]);
    super::access_matrix::published_street(&relay, &ids).await;

    // Area a1 holds compound k1, which holds b1; area a2 → k2 → b2.
    let area = relay
        .create_token("area-head", "area:a1", "area-a1")
        .trim()
        .to_owned();
    let mut head = RawPeer::join(&with_token(&relay, &area), "area-a1").await;
    let mut b1 = wanted_doc("area-a1", ids[1]);
    assert_eq!(head.sync_doc(&mut b1).await, Some("sync"));
    let mut b2 = wanted_doc("area-a1", ids[2]);
    assert_eq!(head.sync_doc(&mut b2).await, Some("doc-unavailable"));
    drop(head);

    let secret = relay
        .create_token("compound-head", "compound:k1", "yuan-k1")
        .trim()
        .to_owned();
    let url = with_token(&relay, &secret);
    let mut yuan = RawPeer::join(&url, "yuan-k1").await;
    let mut b1 = wanted_doc("yuan-k1", ids[1]);
    assert_eq!(yuan.sync_doc(&mut b1).await, Some("sync"));

    // The street admin moves b1 to compound k2.
    let mut admin = RawPeer::join(&relay.url, "office").await;
    let mut street = wanted_doc("office", ids[0]);
    admin.sync_doc(&mut street).await;
    let k2 = CompoundId::new("k2").unwrap();
    let mut tx = street.doc_mut().transaction();
    directory::set_building_compound(&mut tx, &BuildingId::new("b1").unwrap(), Some(&k2)).unwrap();
    tx.commit();
    admin.sync_doc(&mut street).await;

    // Her connection is closed, saying why.
    let (code, _) = yuan.recv_close().await.expect("a close frame");
    assert_eq!(code, linli_protocol::CloseReason::AccessChanged.code());
    let mut again = RawPeer::join(&url, "yuan-k1").await;
    let mut b1 = wanted_doc("yuan-k1", ids[1]);
    assert_eq!(again.sync_doc(&mut b1).await, Some("doc-unavailable"));
    // k2's head gained it.
    let k2_head = relay
        .create_token("compound-head", "compound:k2", "yuan-k2")
        .trim()
        .to_owned();
    let mut k2_peer = RawPeer::join(&with_token(&relay, &k2_head), "yuan-k2").await;
    let mut b1 = wanted_doc("yuan-k2", ids[1]);
    assert_eq!(k2_peer.sync_doc(&mut b1).await, Some("sync"));
}
