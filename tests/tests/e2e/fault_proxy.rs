//! A TCP proxy between devices and the relay that breaks connections the
//! way mobile networks and cheap routers do: it drops connections at once,
//! cuts them after some bytes, truncates them in the middle of a frame,
//! stalls them, and delays every chunk. What it does to each connection is
//! decided by a [`Planner`], so a run is repeatable from its seed (see
//! [`fault_seed`]); how often it did each is counted in [`FaultCounts`].

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to one connection. Byte counts are per direction:
/// whichever direction reaches its count first triggers the fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Forward everything, each chunk after `delay`.
    Clean { delay: Duration },
    /// Accept and close at once, without reaching the relay.
    Drop,
    /// Close both sides after the chunk that passes `after` bytes.
    Cut { after: usize, delay: Duration },
    /// Forward exactly `after` bytes (mid-chunk, so mostly mid-frame), then
    /// close both sides.
    Truncate { after: usize, delay: Duration },
    /// After `after` bytes, forward nothing for `stall`, then go on until
    /// sixteen times `after`, and cut.
    Stall { after: usize, stall: Duration },
}

/// Chooses the plan of connection number `n` (counted from 0).
pub type Planner = Box<dyn FnMut(usize) -> Plan + Send>;

/// How many times the proxy did each thing.
#[derive(Debug, Default)]
pub struct FaultCounts {
    pub connections: AtomicU64,
    pub drops: AtomicU64,
    pub cuts: AtomicU64,
    pub truncations: AtomicU64,
    pub stalls: AtomicU64,
    /// Connections whose chunks were delayed.
    pub delayed: AtomicU64,
}

impl FaultCounts {
    fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    /// Connections broken in any way (dropped, cut or truncated).
    pub fn broken(&self) -> u64 {
        Self::get(&self.drops) + Self::get(&self.cuts) + Self::get(&self.truncations)
    }
}

impl std::fmt::Display for FaultCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} connections: {} dropped, {} cut, {} truncated, {} stalled, {} delayed",
            Self::get(&self.connections),
            Self::get(&self.drops),
            Self::get(&self.cuts),
            Self::get(&self.truncations),
            Self::get(&self.stalls),
            Self::get(&self.delayed),
        )
    }
}

/// A running proxy; it stops accepting when dropped.
pub struct FaultProxy {
    /// `host:port` to dial instead of the relay.
    pub addr: String,
    pub counts: Arc<FaultCounts>,
    /// Bytes sent from the relay to the device, per connection, live.
    down: Arc<Mutex<Vec<Arc<AtomicU64>>>>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy in front of `upstream` (`host:port`).
    pub async fn start(upstream: String, mut planner: Planner) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let counts = Arc::new(FaultCounts::default());
        let down: Arc<Mutex<Vec<Arc<AtomicU64>>>> = Arc::default();
        let (counts2, down2) = (counts.clone(), down.clone());
        let task = tokio::spawn(async move {
            let mut n = 0;
            loop {
                let Ok((device, _)) = listener.accept().await else {
                    return;
                };
                let plan = planner(n);
                n += 1;
                FaultCounts::add(&counts2.connections);
                let bytes = Arc::new(AtomicU64::new(0));
                down2.lock().unwrap().push(bytes.clone());
                tokio::spawn(forward(
                    device,
                    upstream.clone(),
                    plan,
                    counts2.clone(),
                    bytes,
                ));
            }
        });
        FaultProxy {
            addr,
            counts,
            down,
            task,
        }
    }

    /// `url` (of the relay at `relay_addr`) rewritten to go through the proxy.
    pub fn url(&self, url: &str, relay_addr: &str) -> String {
        url.replace(relay_addr, &self.addr)
    }

    /// Bytes from the relay to devices on each connection so far, in order.
    pub fn bytes_down(&self) -> Vec<u64> {
        self.down
            .lock()
            .unwrap()
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The seed of a fault run: `LINLI_FAULT_SEED` when set (to repeat a run),
/// otherwise a new one. Printed either way, so a failure can be replayed.
pub fn fault_seed(test: &str) -> u64 {
    let seed = std::env::var("LINLI_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    println!("{test}: fault seed {seed} (LINLI_FAULT_SEED={seed} repeats it)");
    seed
}

/// A size for a fault run: the environment variable `name` when set (the
/// large runs of scripts/faults-large.sh), otherwise `ci`.
pub fn size(name: &str, ci: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(ci)
}

/// A planner that only cuts, each connection after a random number of
/// bytes in `range` (exactly, so mostly in the middle of a frame).
pub fn cutting(seed: u64, range: Range<usize>) -> Planner {
    let mut rng = StdRng::seed_from_u64(seed);
    Box::new(move |_| Plan::Truncate {
        after: rng.random_range(range.clone()),
        delay: Duration::ZERO,
    })
}

/// A planner that mixes every fault: of each ten connections about one is
/// dropped, three cut, two truncated, two stalled, one cut only after
/// sixteen times as long, and one left whole; a third of them have every
/// chunk delayed by up to 20 ms. Faults strike after 200 to `max_bytes`
/// bytes. Some connections must stay whole: a sync message larger than
/// every connection's share (a device's backlog of weeks) could otherwise
/// never arrive, on any network.
pub fn chaos(seed: u64, max_bytes: usize) -> Planner {
    let mut rng = StdRng::seed_from_u64(seed);
    Box::new(move |_| {
        let after = rng.random_range(200..max_bytes.max(201));
        let delay = if rng.random_ratio(1, 3) {
            Duration::from_millis(rng.random_range(1..20))
        } else {
            Duration::ZERO
        };
        match rng.random_range(0..10) {
            0 => Plan::Drop,
            1..=3 => Plan::Cut { after, delay },
            4 | 5 => Plan::Truncate { after, delay },
            6 | 7 => Plan::Stall {
                after,
                stall: Duration::from_millis(rng.random_range(100..2000)),
            },
            8 => Plan::Cut {
                after: after * 16,
                delay,
            },
            _ => Plan::Clean { delay },
        }
    })
}

async fn forward(
    device: TcpStream,
    upstream: String,
    plan: Plan,
    counts: Arc<FaultCounts>,
    down_bytes: Arc<AtomicU64>,
) {
    if plan == Plan::Drop {
        FaultCounts::add(&counts.drops);
        return;
    }
    let Ok(relay) = TcpStream::connect(&upstream).await else {
        // The relay is down (being restarted): the device sees a refusal.
        return;
    };
    let _ = device.set_nodelay(true);
    let _ = relay.set_nodelay(true);
    if matches!(
        plan,
        Plan::Clean { delay } | Plan::Cut { delay, .. } | Plan::Truncate { delay, .. }
            if !delay.is_zero()
    ) {
        FaultCounts::add(&counts.delayed);
    }
    let (mut dr, mut dw) = device.into_split();
    let (mut rr, mut rw) = relay.into_split();
    let up_bytes = AtomicU64::new(0);
    let up = pump(&mut dr, &mut rw, plan, &up_bytes, &counts);
    let down = pump(&mut rr, &mut dw, plan, &down_bytes, &counts);
    // Whichever direction ends first ends the connection.
    let end = tokio::select! {
        e = up => e,
        e = down => e,
    };
    match end {
        End::Closed => {}
        End::Cut => FaultCounts::add(&counts.cuts),
        End::Truncated => FaultCounts::add(&counts.truncations),
    }
}

enum End {
    /// One side closed (or failed) by itself.
    Closed,
    Cut,
    Truncated,
}

/// Copies one direction, applying `plan`.
async fn pump<R, W>(
    from: &mut R,
    to: &mut W,
    plan: Plan,
    sent: &AtomicU64,
    counts: &FaultCounts,
) -> End
where
    R: AsyncReadExt + Unpin,
    W: AsyncWriteExt + Unpin,
{
    let mut buf = vec![0u8; 16 * 1024];
    let mut stalled = false;
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return End::Closed,
            Ok(n) => n,
        };
        let done = sent.load(Ordering::Relaxed) as usize;
        let mut chunk = &buf[..n];
        let mut end = None;
        match plan {
            Plan::Clean { delay } | Plan::Cut { delay, .. } | Plan::Truncate { delay, .. }
                if !delay.is_zero() =>
            {
                tokio::time::sleep(delay).await;
            }
            _ => {}
        }
        match plan {
            Plan::Cut { after, .. } if done + n >= after => end = Some(End::Cut),
            Plan::Truncate { after, .. } if done + n >= after => {
                chunk = &chunk[..after.saturating_sub(done)];
                end = Some(End::Truncated);
            }
            // A stalled connection is cut in the end too, sixteen times
            // further on, so a long run keeps breaking connections.
            Plan::Stall { after, .. } if stalled && done + n >= after * 16 => {
                end = Some(End::Cut);
            }
            Plan::Stall { after, stall } if !stalled && done + n >= after => {
                stalled = true;
                FaultCounts::add(&counts.stalls);
                tokio::time::sleep(stall).await;
            }
            _ => {}
        }
        if to.write_all(chunk).await.is_err() {
            return End::Closed;
        }
        sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        if let Some(end) = end {
            return end;
        }
    }
}
