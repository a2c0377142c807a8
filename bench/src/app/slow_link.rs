//! A slow mobile link in front of the relay: a TCP proxy that gives every
//! byte between the browser and the relay the same latency and shares one
//! download and one upload rate among all connections, like a phone's
//! radio.
//!
//! Chromium's own network emulation (CDP `Network.emulateNetworkConditions`
//! on the page) slows the page's requests only: the app's Web Worker fetches
//! the wasm and holds the relay socket, and those go at full speed. So the
//! first sign-in is also measured through this proxy, which slows
//! everything, with the same numbers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Largest piece read and forwarded at once; small enough that a slow rate
/// is smooth.
const PIECE: usize = 4096;

/// A link's shape: round-trip latency added to every exchange, and rates.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub latency: Duration,
    pub down_bytes_per_sec: f64,
    pub up_bytes_per_sec: f64,
}

impl Shape {
    /// Chrome DevTools' "Fast 3G": 562.5 ms, 1.6 Mbit/s down, 750 kbit/s up.
    pub fn fast_3g() -> Shape {
        Shape {
            latency: Duration::from_micros(562_500),
            down_bytes_per_sec: 1_600_000.0 / 8.0,
            up_bytes_per_sec: 750_000.0 / 8.0,
        }
    }
}

/// One direction of the link: the time it is next free to send.
struct Pipe {
    bytes_per_sec: f64,
    free_at: Mutex<Instant>,
    carried: AtomicU64,
}

impl Pipe {
    fn new(bytes_per_sec: f64) -> Arc<Pipe> {
        Arc::new(Pipe {
            bytes_per_sec,
            free_at: Mutex::new(Instant::now()),
            carried: AtomicU64::new(0),
        })
    }

    /// Books `n` bytes on the link; returns when their last byte has left.
    fn book(&self, n: usize) -> Instant {
        self.carried.fetch_add(n as u64, Ordering::Relaxed);
        let now = Instant::now();
        let mut free = self.free_at.lock().unwrap_or_else(|p| p.into_inner());
        let start = (*free).max(now);
        *free = start + Duration::from_secs_f64(n as f64 / self.bytes_per_sec);
        *free
    }
}

/// The proxy, listening on a loopback port; stops when dropped.
pub struct SlowLink {
    pub addr: std::net::SocketAddr,
    down: Arc<Pipe>,
    task: JoinHandle<()>,
}

impl SlowLink {
    /// Forwards every connection made to the returned address to `target`
    /// (`host:port`) through a link of `shape`.
    pub async fn start(target: String, shape: Shape) -> anyhow::Result<SlowLink> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let down = Pipe::new(shape.down_bytes_per_sec);
        let up = Pipe::new(shape.up_bytes_per_sec);
        let one_way = shape.latency / 2;
        let task = tokio::spawn({
            let down = down.clone();
            async move {
                while let Ok((client, _)) = listener.accept().await {
                    let (target, down, up) = (target.clone(), down.clone(), up.clone());
                    tokio::spawn(async move {
                        let Ok(server) = TcpStream::connect(&target).await else {
                            return;
                        };
                        let _ = client.set_nodelay(true);
                        let _ = server.set_nodelay(true);
                        let (cr, cw) = client.into_split();
                        let (sr, sw) = server.into_split();
                        tokio::join!(carry(cr, sw, up, one_way), carry(sr, cw, down, one_way));
                    });
                }
            }
        });
        Ok(SlowLink { addr, down, task })
    }

    /// Bytes carried from the relay to the browser so far.
    pub fn bytes_down(&self) -> u64 {
        self.down.carried.load(Ordering::Relaxed)
    }
}

impl Drop for SlowLink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Moves bytes from `from` to `to`: each piece waits for its turn on the
/// pipe, then arrives `one_way` later. Reading and delivering are separate
/// tasks, so latency overlaps as it does on a real link.
async fn carry<R, W>(mut from: R, mut to: W, pipe: Arc<Pipe>, one_way: Duration)
where
    R: AsyncReadExt + Unpin,
    W: AsyncWriteExt + Unpin + Send + 'static,
{
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let deliver = tokio::spawn(async move {
        while let Some((at, piece)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&piece).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buf = vec![0u8; PIECE];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let sent = pipe.book(n);
        if tx.send((sent + one_way, buf[..n].to_vec())).is_err() {
            break;
        }
        // Read no further ahead than the link can carry.
        tokio::time::sleep_until(sent).await;
    }
    drop(tx);
    let _ = deliver.await;
}
