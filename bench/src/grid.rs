//! The fan-out grid: several shapes of "who edits what, who watches",
//! each at a steady rate, on both relays, driven once by linli's own load
//! peer (`peer.rs`) and once by samod's client `Repo` (`samod_peer.rs`).
//!
//! Each document has one writer; its readers are the cell's other peers on
//! that document. The writers edit at the cell's total rate, round-robin
//! over documents, for [`Sizes::grid_run_for`]; then the cell waits until
//! every reader has seen every edit (or [`DRAIN`] passes). Reported per
//! cell and driver: edit-to-visible p50 and p99 over every (edit, reader),
//! visible edits per second (edit × reader deliveries in the sending
//! window, per second), the relay's peak RSS, and its CPU time per edit.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::StreamExt;
use linli_protocol::DocumentId;

use crate::data::BuildingDoc;
use crate::peer::{Event, PeerIx};
use crate::relay::Relay;
use crate::report::{Better, Figure, percentile};
use crate::samod_peer::SamodPeer;
use crate::swarm::Swarm;
use crate::usage::Sampler;
use crate::workloads::Sizes;

/// After the sending window, how long readers may take to catch up before
/// the cell ends anyway (a relay far past saturation).
const DRAIN: Duration = Duration::from_secs(60);

/// samod repos connected at once.
const SAMOD_CONNECT_CONCURRENCY: usize = 16;

/// Who loads the relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    Linli,
    Samod,
}

impl Driver {
    pub const ALL: [Driver; 2] = [Driver::Linli, Driver::Samod];

    /// Its value for `linli-bench --driver`.
    pub fn flag(self) -> &'static str {
        match self {
            Driver::Linli => "linli",
            Driver::Samod => "samod",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Driver::Linli => "linli peer",
            Driver::Samod => "samod Repo",
        }
    }
}

/// One shape of load.
#[derive(Debug, Clone)]
pub struct Cell {
    pub name: &'static str,
    pub docs: usize,
    pub peers: usize,
    /// Every peer reads every document (and writes its own), instead of
    /// each peer being on one document.
    pub full_fan_out: bool,
    /// Edits per second, all documents together.
    pub rate: u32,
}

impl Cell {
    /// The peer that writes document `k`.
    fn writer(&self, k: usize) -> PeerIx {
        if self.full_fan_out {
            k % self.peers
        } else {
            k * (self.peers / self.docs)
        }
    }

    /// The peers that read document `k`.
    fn readers(&self, k: usize) -> Vec<PeerIx> {
        if self.full_fan_out {
            (0..self.peers).filter(|&p| p != self.writer(k)).collect()
        } else {
            let per_doc = self.peers / self.docs;
            (k * per_doc + 1..(k + 1) * per_doc).collect()
        }
    }
}

/// The grid at full size: few documents with many peers, many documents
/// with few, full fan-out below and above saturation, and 200 peers over
/// 20 documents.
pub fn cells_full() -> Vec<Cell> {
    vec![
        Cell {
            name: "2 docs × 50 peers, 20 edits/s",
            docs: 2,
            peers: 100,
            full_fan_out: false,
            rate: 20,
        },
        Cell {
            name: "100 docs × 2 peers, 200 edits/s",
            docs: 100,
            peers: 200,
            full_fan_out: false,
            rate: 200,
        },
        Cell {
            name: "full fan-out 20 peers × 20 docs, 200 edits/s",
            docs: 20,
            peers: 20,
            full_fan_out: true,
            rate: 200,
        },
        Cell {
            name: "full fan-out 20 peers × 20 docs, 400 edits/s",
            docs: 20,
            peers: 20,
            full_fan_out: true,
            rate: 400,
        },
        Cell {
            name: "200 peers over 20 docs, 200 edits/s",
            docs: 20,
            peers: 200,
            full_fan_out: false,
            rate: 200,
        },
    ]
}

/// The same shapes, tiny.
pub fn cells_quick() -> Vec<Cell> {
    vec![
        Cell {
            name: "1 doc × 4 peers",
            docs: 1,
            peers: 4,
            full_fan_out: false,
            rate: 10,
        },
        Cell {
            name: "4 docs × 2 peers",
            docs: 4,
            peers: 8,
            full_fan_out: false,
            rate: 20,
        },
        Cell {
            name: "full fan-out 3 × 3",
            docs: 3,
            peers: 3,
            full_fan_out: true,
            rate: 20,
        },
    ]
}

/// The peers of one cell, of either kind, on one event stream.
enum Peers {
    Linli(Swarm),
    Samod(Swarm, Vec<SamodPeer>),
}

impl Peers {
    fn swarm(&mut self) -> &mut Swarm {
        match self {
            Peers::Linli(s) | Peers::Samod(s, _) => s,
        }
    }

    fn edit(&self, peer: PeerIx, doc: DocumentId, seq: u64) -> anyhow::Result<()> {
        match self {
            Peers::Linli(s) => {
                s.peers[peer].edit(doc, seq);
                Ok(())
            }
            Peers::Samod(_, peers) => peers[peer].edit(doc, seq),
        }
    }

    async fn stop(self) {
        if let Peers::Samod(_, peers) = self {
            for p in peers {
                p.stop().await;
            }
        }
    }
}

/// Connects the cell's peers, creates its documents at their writers and
/// opens them at their readers; returns the peers and document ids.
async fn set_up(
    relay: &Relay,
    cell: &Cell,
    driver: Driver,
    building: &BuildingDoc,
) -> anyhow::Result<(Peers, Vec<DocumentId>)> {
    let mut swarm = Swarm::new();
    match driver {
        Driver::Linli => {
            swarm.connect(relay, cell.peers).await?;
            let docs: Vec<DocumentId> = (0..cell.docs)
                .map(|_| DocumentId::random(&mut rand::rng()))
                .collect();
            for (k, id) in docs.iter().enumerate() {
                swarm.peers[cell.writer(k)].add(*id, building.doc.clone());
            }
            swarm
                .synced(docs.iter().enumerate().map(|(k, id)| (cell.writer(k), *id)))
                .await?;
            let mut wanted = Vec::new();
            for (k, id) in docs.iter().enumerate() {
                for r in cell.readers(k) {
                    swarm.peers[r].want(*id);
                    wanted.push((r, *id));
                }
            }
            swarm.synced(wanted).await?;
            Ok((Peers::Linli(swarm), docs))
        }
        Driver::Samod => {
            let events = swarm.events();
            let mut peers: Vec<(PeerIx, SamodPeer)> = futures::stream::iter(0..cell.peers)
                .map(|ix| {
                    let events = events.clone();
                    async move { SamodPeer::connect(relay, ix, events).await.map(|p| (ix, p)) }
                })
                .buffer_unordered(SAMOD_CONNECT_CONCURRENCY)
                .collect::<Vec<_>>()
                .await
                .into_iter()
                .collect::<anyhow::Result<_>>()?;
            peers.sort_by_key(|(ix, _)| *ix);
            let mut peers: Vec<SamodPeer> = peers.into_iter().map(|(_, p)| p).collect();
            let mut docs = Vec::new();
            for k in 0..cell.docs {
                docs.push(peers[cell.writer(k)].create(building.doc.clone()).await?);
            }
            for (k, id) in docs.iter().enumerate() {
                for r in cell.readers(k) {
                    peers[r].open(*id).await?;
                }
            }
            Ok((Peers::Samod(swarm, peers), docs))
        }
    }
}

/// Runs `cell` on `relay` with `driver`.
pub async fn run_cell(
    relay: &Relay,
    sizes: &Sizes,
    cell: &Cell,
    driver: Driver,
    building: &BuildingDoc,
) -> anyhow::Result<Vec<Figure>> {
    let (mut peers, docs) = set_up(relay, cell, driver, building).await?;
    let index: HashMap<DocumentId, usize> =
        docs.iter().enumerate().map(|(k, id)| (*id, k)).collect();
    let readers: Vec<Vec<PeerIx>> = (0..cell.docs).map(|k| cell.readers(k)).collect();
    let mut seen: HashMap<(PeerIx, usize), u64> = readers
        .iter()
        .enumerate()
        .flat_map(|(k, rs)| rs.iter().map(move |&r| ((r, k), 0)))
        .collect();
    // Drop what setting up left in the stream.
    while let Ok(Some(_)) =
        tokio::time::timeout(Duration::from_millis(200), peers.swarm().next_raw()).await
    {}

    let sampler = Sampler::start(relay.pid());
    let mut tick = tokio::time::interval(Duration::from_secs(1) / cell.rate);
    let mut sent: HashMap<(usize, u64), Instant> = HashMap::new();
    let mut last_seq = vec![0_u64; cell.docs];
    let mut samples = Vec::new();
    let mut in_window = 0_u64;
    let started = Instant::now();
    let window_end = started + sizes.grid_run_for;
    let mut n = 0_usize;
    let mut drained = true;
    loop {
        let sending = Instant::now() < window_end;
        if !sending && seen.iter().all(|(&(_, k), &s)| s == last_seq[k]) {
            break;
        }
        if !sending && started.elapsed() > sizes.grid_run_for + DRAIN {
            drained = false;
            break;
        }
        tokio::select! {
            _ = tick.tick(), if sending => {
                let k = n % cell.docs;
                n += 1;
                last_seq[k] += 1;
                sent.insert((k, last_seq[k]), Instant::now());
                peers.edit(cell.writer(k), docs[k], last_seq[k])?;
            }
            event = peers.swarm().next() => {
                if let Event::Changed { peer, doc, seq: Some(s), at } = event?
                    && let Some(&k) = index.get(&doc)
                    && let Some(prev) = seen.get_mut(&(peer, k))
                {
                    for q in *prev + 1..=s {
                        if let Some(t) = sent.get(&(k, q)) {
                            samples.push(at - *t);
                            if at <= window_end {
                                in_window += 1;
                            }
                        }
                    }
                    *prev = (*prev).max(s);
                }
            }
        }
    }
    let usage = sampler.finish().await;
    peers.stop().await;
    if !drained {
        eprintln!(
            "  {} on {}: readers had not caught up {} s after the last edit",
            cell.name,
            driver.name(),
            DRAIN.as_secs()
        );
    }
    let edits = n.max(1) as f64;
    let workload: &'static str =
        Box::leak(format!("grid: {}, {}", cell.name, driver.name()).into_boxed_str());
    Ok(vec![
        Figure::ms(workload, "p50", percentile(&samples, 50.0)),
        Figure::ms(workload, "p99", percentile(&samples, 99.0)),
        Figure::new(
            workload,
            "visible edits / s",
            "/s",
            Better::Higher,
            in_window as f64 / sizes.grid_run_for.as_secs_f64(),
        ),
        Figure::new(
            workload,
            "relay peak RSS",
            "B",
            Better::Lower,
            usage.peak_rss_bytes as f64,
        ),
        Figure::new(
            workload,
            "relay CPU per edit",
            "µs",
            Better::Lower,
            usage.cpu.as_secs_f64() * 1e6 / edits,
        ),
    ])
}
