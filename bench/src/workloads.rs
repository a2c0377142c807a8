//! The workloads of DESIGN.md's benchmark list. Each runs against one relay
//! and returns its figures; `main` runs each on both relays in turn.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use linli_gen::Preset;
use linli_protocol::DocumentId;

use crate::data::{BuildingDoc, small_doc};
use crate::peer::Event;
use crate::relay::Relay;
use crate::report::{Better, Figure, percentile};
use crate::swarm::Swarm;

/// How big each workload is.
#[derive(Debug, Clone)]
pub struct Sizes {
    /// linli-gen preset for the street documents.
    pub preset: Preset,
    pub idle_edits: u64,
    pub load_docs: usize,
    pub load_readers_per_doc: usize,
    pub load_edits_per_doc_per_sec: u64,
    pub run_for: Duration,
    pub saturation_docs: usize,
    pub idle_peers: usize,
    pub small_docs: u64,
    pub fetches: usize,
    pub street_syncs: usize,
    pub history_edits: u64,
    /// The fan-out grid's cells (`grid.rs`) and how long each sends.
    pub grid: Vec<crate::grid::Cell>,
    pub grid_run_for: Duration,
    /// Idle peers held at once for the memory-per-peer figure at scale.
    pub many_idle_peers: usize,
    /// Households in the one large document a fresh device fetches.
    pub big_households: usize,
}

impl Sizes {
    pub fn full() -> Self {
        Self {
            preset: Preset::Street,
            idle_edits: 300,
            load_docs: 20,
            load_readers_per_doc: 9,
            load_edits_per_doc_per_sec: 10,
            run_for: Duration::from_secs(10),
            saturation_docs: 20,
            idle_peers: 300,
            small_docs: 2000,
            fetches: 20,
            street_syncs: 3,
            history_edits: 2000,
            grid: crate::grid::cells_full(),
            grid_run_for: Duration::from_secs(8),
            many_idle_peers: 10_000,
            big_households: 3_000,
        }
    }

    /// A few seconds in all: proves the harness, measures nothing.
    pub fn quick() -> Self {
        Self {
            preset: Preset::Building,
            idle_edits: 5,
            load_docs: 2,
            load_readers_per_doc: 2,
            load_edits_per_doc_per_sec: 5,
            run_for: Duration::from_millis(500),
            saturation_docs: 2,
            idle_peers: 5,
            small_docs: 5,
            fetches: 2,
            street_syncs: 1,
            history_edits: 5,
            grid: crate::grid::cells_quick(),
            grid_run_for: Duration::from_millis(500),
            many_idle_peers: 20,
            big_households: 30,
        }
    }
}

/// Edit-to-visible latency between two otherwise idle peers: one edits a
/// building document, the next edit only after the other has seen it.
pub async fn latency_idle(
    relay: &Relay,
    sizes: &Sizes,
    building: &BuildingDoc,
) -> anyhow::Result<Vec<Figure>> {
    let mut swarm = Swarm::new();
    let (w, r) = (
        swarm.connect(relay, 1).await?,
        swarm.connect(relay, 1).await?,
    );
    let id = DocumentId::random(&mut rand::rng());
    swarm.peers[w].add(id, building.doc.clone());
    swarm.synced([(w, id)]).await?;
    swarm.peers[r].want(id);
    swarm.synced([(r, id)]).await?;
    let mut samples = Vec::new();
    for seq in 1..=sizes.idle_edits {
        let sent = Instant::now();
        swarm.peers[w].edit(id, seq);
        loop {
            if let Event::Changed {
                peer,
                seq: Some(s),
                at,
                ..
            } = swarm.next().await?
                && peer == r
                && s >= seq
            {
                samples.push(at - sent);
                break;
            }
        }
    }
    Ok(latency_figures("edit → visible, idle", &samples))
}

/// Edit-to-visible latency under load: `load_docs` documents, each with one
/// writer editing at a steady rate and `load_readers_per_doc` readers.
pub async fn latency_under_load(
    relay: &Relay,
    sizes: &Sizes,
    building: &BuildingDoc,
) -> anyhow::Result<Vec<Figure>> {
    let mut swarm = Swarm::new();
    let per_doc = 1 + sizes.load_readers_per_doc;
    swarm.connect(relay, sizes.load_docs * per_doc).await?;
    let docs: Vec<DocumentId> = (0..sizes.load_docs)
        .map(|_| DocumentId::random(&mut rand::rng()))
        .collect();
    let writer = |k: usize| k * per_doc;
    for (k, id) in docs.iter().enumerate() {
        swarm.peers[writer(k)].add(*id, building.doc.clone());
    }
    swarm
        .synced(docs.iter().enumerate().map(|(k, id)| (writer(k), *id)))
        .await?;
    let doc_of_peer = |p: usize| p / per_doc;
    let readers: Vec<usize> = (0..swarm.peers.len())
        .filter(|p| p % per_doc != 0)
        .collect();
    for &p in &readers {
        swarm.peers[p].want(docs[doc_of_peer(p)]);
    }
    swarm
        .synced(readers.iter().map(|&p| (p, docs[doc_of_peer(p)])))
        .await?;

    let every =
        Duration::from_secs(1) / (sizes.load_edits_per_doc_per_sec as u32 * sizes.load_docs as u32);
    let mut tick = tokio::time::interval(every);
    let mut sent: HashMap<(usize, u64), Instant> = HashMap::new();
    let mut last_seq = vec![0_u64; sizes.load_docs];
    let mut seen: HashMap<usize, u64> = readers.iter().map(|&p| (p, 0)).collect();
    let mut samples = Vec::new();
    let started = Instant::now();
    let mut n = 0_usize;
    let index: HashMap<DocumentId, usize> =
        docs.iter().enumerate().map(|(k, id)| (*id, k)).collect();
    loop {
        let sending = started.elapsed() < sizes.run_for;
        let done = !sending && readers.iter().all(|p| seen[p] == last_seq[doc_of_peer(*p)]);
        if done {
            break;
        }
        tokio::select! {
            _ = tick.tick(), if sending => {
                let k = n % sizes.load_docs;
                n += 1;
                last_seq[k] += 1;
                sent.insert((k, last_seq[k]), Instant::now());
                swarm.peers[writer(k)].edit(docs[k], last_seq[k]);
            }
            event = swarm.next() => {
                if let Event::Changed { peer, doc, seq: Some(s), at } = event?
                    && let Some(prev) = seen.get_mut(&peer)
                    && let Some(&k) = index.get(&doc)
                {
                    // Changes may arrive batched: every edit up to `s` became
                    // visible now.
                    for q in *prev + 1..=s {
                        if let Some(t) = sent.get(&(k, q)) {
                            samples.push(at - *t);
                        }
                    }
                    *prev = (*prev).max(s);
                }
            }
        }
    }
    let mut figures = latency_figures("edit → visible, under load", &samples);
    figures.push(Figure::new(
        "edit → visible, under load",
        "deliveries",
        "",
        Better::Higher,
        samples.len() as f64,
    ));
    Ok(figures)
}

fn latency_figures(workload: &'static str, samples: &[Duration]) -> Vec<Figure> {
    vec![
        Figure::ms(workload, "p50", percentile(samples, 50.0)),
        Figure::ms(workload, "p99", percentile(samples, 99.0)),
    ]
}

/// Relayed edits per second at saturation: `saturation_docs` writers each
/// edit again as soon as the relay has acknowledged their last edit, each
/// with one reader.
pub async fn saturation(
    relay: &Relay,
    sizes: &Sizes,
    building: &BuildingDoc,
) -> anyhow::Result<Vec<Figure>> {
    saturation_on(&[relay], sizes, building).await
}

/// [`saturation`] with the writers and their readers spread evenly over
/// `relays` (hub processes sharing one database): each writer's reader is
/// on the same process as its writer, so each process relays its own.
pub async fn saturation_on(
    relays: &[&Relay],
    sizes: &Sizes,
    building: &BuildingDoc,
) -> anyhow::Result<Vec<Figure>> {
    let per_relay = sizes.saturation_docs.div_ceil(relays.len().max(1));
    let mut swarm = Swarm::new();
    for relay in relays {
        swarm.connect(relay, per_relay * 2).await?;
    }
    let docs: Vec<DocumentId> = (0..per_relay * relays.len())
        .map(|_| DocumentId::random(&mut rand::rng()))
        .collect();
    for (k, id) in docs.iter().enumerate() {
        swarm.peers[2 * k].add(*id, building.doc.clone());
    }
    swarm
        .synced(docs.iter().enumerate().map(|(k, id)| (2 * k, *id)))
        .await?;
    for (k, id) in docs.iter().enumerate() {
        swarm.peers[2 * k + 1].want(*id);
    }
    swarm
        .synced(docs.iter().enumerate().map(|(k, id)| (2 * k + 1, *id)))
        .await?;

    let mut seq = vec![1_u64; docs.len()];
    for (k, id) in docs.iter().enumerate() {
        swarm.peers[2 * k].edit(*id, 1);
    }
    let started = Instant::now();
    let (mut acked, mut relayed) = (0_u64, 0_u64);
    let mut seen = vec![0_u64; docs.len()];
    let mut in_flight = docs.len();
    while in_flight > 0 {
        match swarm.next().await? {
            Event::Synced { peer, doc, at } if peer % 2 == 0 => {
                let k = peer / 2;
                if at - started <= sizes.run_for {
                    acked += 1;
                }
                if started.elapsed() < sizes.run_for {
                    seq[k] += 1;
                    swarm.peers[peer].edit(doc, seq[k]);
                } else {
                    in_flight -= 1;
                }
            }
            Event::Changed {
                peer,
                seq: Some(s),
                at,
                ..
            } if peer % 2 == 1 => {
                let k = peer / 2;
                if at - started <= sizes.run_for {
                    relayed += s.saturating_sub(seen[k]);
                }
                seen[k] = seen[k].max(s);
            }
            _ => {}
        }
    }
    let secs = sizes.run_for.as_secs_f64();
    Ok(vec![
        Figure::new(
            "saturation",
            "edits acknowledged / s",
            "/s",
            Better::Higher,
            acked as f64 / secs,
        ),
        Figure::new(
            "saturation",
            "edits relayed to readers / s",
            "/s",
            Better::Higher,
            relayed as f64 / secs,
        ),
    ])
}

/// Idle peers held: each joins and syncs one shared building document, then
/// stays. Reports the relay's resident memory per peer.
pub async fn idle_peers(
    relay: &Relay,
    sizes: &Sizes,
    building: &BuildingDoc,
) -> anyhow::Result<Vec<Figure>> {
    let mut swarm = Swarm::new();
    let owner = swarm.connect(relay, 1).await?;
    let id = DocumentId::random(&mut rand::rng());
    swarm.peers[owner].add(id, building.doc.clone());
    swarm.synced([(owner, id)]).await?;
    let before = relay.rss_bytes()?;
    let started = Instant::now();
    let first = swarm.connect(relay, sizes.idle_peers).await?;
    for p in first..first + sizes.idle_peers {
        swarm.peers[p].want(id);
    }
    swarm
        .synced((first..first + sizes.idle_peers).map(|p| (p, id)))
        .await?;
    let took = started.elapsed();
    let after = relay.rss_bytes()?;
    let per_peer = after.saturating_sub(before) as f64 / sizes.idle_peers as f64;
    Ok(vec![
        Figure::ms("idle peers", "connect + join + sync all", took),
        Figure::new(
            "idle peers",
            "relay memory per peer",
            "B",
            Better::Lower,
            per_peer,
        ),
        Figure::new(
            "idle peers",
            "relay memory, all held",
            "B",
            Better::Lower,
            after as f64,
        ),
    ])
}

/// The stored street: building ids and the small documents' ids.
pub struct Stored {
    pub buildings: Vec<DocumentId>,
    pub households: usize,
}

/// Uploads the street's building documents and `small_docs` small ones
/// over one connection, as a street admin's first push.
pub async fn upload_street(
    relay: &Relay,
    sizes: &Sizes,
    street: &[BuildingDoc],
) -> anyhow::Result<(Stored, Vec<Figure>)> {
    let mut swarm = Swarm::new();
    let p = swarm.connect(relay, 1).await?;
    let started = Instant::now();
    let mut ids = Vec::new();
    for b in street {
        swarm.peers[p].add(b.id, b.doc.clone());
        ids.push(b.id);
    }
    for n in 0..sizes.small_docs {
        let id = DocumentId::random(&mut rand::rng());
        swarm.peers[p].add(id, small_doc(n)?);
        ids.push(id);
    }
    swarm.synced(ids.iter().map(|id| (p, *id))).await?;
    let took = started.elapsed();
    let stored = Stored {
        buildings: street.iter().map(|b| b.id).collect(),
        households: street.iter().map(|b| b.households).sum(),
    };
    Ok((
        stored,
        vec![Figure::ms(
            "store the street",
            "upload every document",
            took,
        )],
    ))
}

/// A fresh device fetching one building document, `fetches` times (a new
/// connection each time).
pub async fn fetch_building(
    relay: &Relay,
    sizes: &Sizes,
    stored: &Stored,
    workload: &'static str,
) -> anyhow::Result<Vec<Figure>> {
    let mut samples = Vec::new();
    for i in 0..sizes.fetches {
        let id = stored.buildings[i % stored.buildings.len()];
        let mut swarm = Swarm::new();
        let started = Instant::now();
        let p = swarm.connect(relay, 1).await?;
        swarm.peers[p].want(id);
        swarm.synced([(p, id)]).await?;
        samples.push(started.elapsed());
    }
    Ok(vec![
        Figure::ms(workload, "p50", percentile(&samples, 50.0)),
        Figure::ms(workload, "max", percentile(&samples, 100.0)),
    ])
}

/// A street admin's first full sync: a fresh device asks for every building
/// document at once. Returns the median of `street_syncs` runs.
pub async fn street_sync(
    relay: &Relay,
    runs: usize,
    stored: &Stored,
    workload: &'static str,
) -> anyhow::Result<Vec<Figure>> {
    let mut samples = Vec::new();
    for _ in 0..runs {
        let mut swarm = Swarm::new();
        let started = Instant::now();
        let p = swarm.connect(relay, 1).await?;
        for id in &stored.buildings {
            swarm.peers[p].want(*id);
        }
        swarm
            .synced(stored.buildings.iter().map(|id| (p, *id)))
            .await?;
        samples.push(started.elapsed());
    }
    Ok(vec![Figure::ms(
        workload,
        "all buildings in sync",
        percentile(&samples, 50.0),
    )])
}

/// Stops the relay (SIGTERM) and starts it on the same data: time until it
/// listens, then until a fresh device has one building document.
pub async fn cold_start(relay: &mut Relay, stored: &Stored) -> anyhow::Result<Vec<Figure>> {
    let started = Instant::now();
    let listening = relay.restart()?;
    let mut swarm = Swarm::new();
    let p = swarm.connect(relay, 1).await?;
    let id = stored.buildings[stored.buildings.len() / 2];
    swarm.peers[p].want(id);
    swarm.synced([(p, id)]).await?;
    Ok(vec![
        Figure::ms("cold start", "start → listening", listening),
        Figure::ms(
            "cold start",
            "start → first building served",
            started.elapsed(),
        ),
    ])
}

/// Disk bytes per stored household, after a clean stop (so both relays
/// have written everything).
pub fn disk_per_household(relay: &Relay, stored: &Stored) -> anyhow::Result<Vec<Figure>> {
    let bytes = relay.disk_bytes()? as f64;
    Ok(vec![Figure::new(
        "disk",
        "bytes per household, street as imported",
        "B",
        Better::Lower,
        bytes / stored.households as f64,
    )])
}

/// A long edit history: one building document edited `history_edits` times
/// (each acknowledged before the next), measured between two clean
/// restarts. Reports the disk bytes this added per household of that
/// building, once while the relay still runs (for linli: with its
/// write-ahead log) and once after a clean restart (whatever each relay
/// folds together on stop and start).
pub async fn long_history(
    relay: &mut Relay,
    sizes: &Sizes,
    building: &BuildingDoc,
) -> anyhow::Result<Vec<Figure>> {
    relay.restart()?;
    let before = relay.disk_bytes()?;
    let mut swarm = Swarm::new();
    let p = swarm.connect(relay, 1).await?;
    let id = DocumentId::random(&mut rand::rng());
    swarm.peers[p].add(id, building.doc.clone());
    swarm.synced([(p, id)]).await?;
    for seq in 1..=sizes.history_edits {
        swarm.peers[p].edit(id, seq);
        swarm.synced([(p, id)]).await?;
    }
    let running = relay.disk_bytes()?.saturating_sub(before) as f64;
    drop(swarm);
    relay.restart()?;
    let settled = relay.disk_bytes()?.saturating_sub(before) as f64;
    let per_household = |bytes: f64| bytes / building.households as f64;
    Ok(vec![
        Figure::new(
            "disk",
            "bytes per household after a long history, running",
            "B",
            Better::Lower,
            per_household(running),
        ),
        Figure::new(
            "disk",
            "bytes per household after a long history, after a clean restart",
            "B",
            Better::Lower,
            per_household(settled),
        ),
    ])
}
