//! A fresh device fetching one large document (3,000 households when
//! full-size): stored once, then fetched over new connections.

use std::time::Instant;

use crate::data::BuildingDoc;
use crate::relay::Relay;
use crate::report::{Figure, percentile};
use crate::swarm::Swarm;

/// Uploads `big` once, then fetches it `fetches` times, each over a new
/// connection of a device that holds nothing yet.
pub async fn fetch_big(
    relay: &Relay,
    big: &BuildingDoc,
    fetches: usize,
    workload: &'static str,
) -> anyhow::Result<Vec<Figure>> {
    let mut owner = Swarm::new();
    let p = owner.connect(relay, 1).await?;
    owner.peers[p].add(big.id, big.doc.clone());
    let started = Instant::now();
    owner.synced([(p, big.id)]).await?;
    let upload = started.elapsed();
    drop(owner);
    let mut samples = Vec::new();
    for _ in 0..fetches {
        let mut swarm = Swarm::new();
        let started = Instant::now();
        let p = swarm.connect(relay, 1).await?;
        swarm.peers[p].want(big.id);
        swarm.synced([(p, big.id)]).await?;
        samples.push(started.elapsed());
    }
    Ok(vec![
        Figure::ms(workload, "upload", upload),
        Figure::ms(workload, "fresh fetch, p50", percentile(&samples, 50.0)),
    ])
}
