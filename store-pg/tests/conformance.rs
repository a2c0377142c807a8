//! PostgreSQL passes the storage seam's conformance suite, unchanged.

use linli_store::conformance;
use linli_store_pg::PgStore;
use linli_store_pg::test_cluster::TestCluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_passes_the_conformance_suite() {
    let cluster = TestCluster::start().expect("a test PostgreSQL");
    let mut urls = Vec::new();
    for _ in 0..16 {
        urls.push(cluster.create_database().await.expect("a fresh database"));
    }
    let mut urls = urls.into_iter();
    conformance::run(|| {
        let url = urls.next().expect("enough databases");
        async move { PgStore::connect(&url).await.expect("connect") }
    })
    .await;
}
