//! The floor under idle edit-to-visible latency on this machine: one
//! SQLite commit with fsync (what linli's durability rule costs) plus two
//! loopback round trips (writer to relay, relay to reader, and back),
//! measured in the same run, on the same disk as the relays' data.
//!
//! linli's idle p50 divided by this is how close the relay comes to what
//! the machine allows at all.

use std::path::Path;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::report::{Figure, percentile};

/// Commits timed, and round trips timed.
const SAMPLES: usize = 200;

/// The floor's parts and their sum, as figures, and the relay's idle p50
/// divided by it. The floor is measured again for each relay's column
/// (the same measurement; samod's store does not fsync, so its idle p50
/// may go below the floor).
pub async fn floor(data_dir: &Path, idle_p50: Option<Duration>) -> anyhow::Result<Vec<Figure>> {
    let commit = commit_p50(data_dir)?;
    let round_trip = loopback_round_trip_p50().await?;
    let floor = commit + 2 * round_trip;
    let mut figures = vec![
        Figure::ms("floor", "one SQLite commit with fsync, p50", commit),
        Figure::ms("floor", "one loopback round trip, p50", round_trip),
        Figure::ms("floor", "commit + two round trips", floor),
    ];
    if let Some(p50) = idle_p50 {
        figures.push(Figure::new(
            "floor",
            "idle p50 ÷ floor",
            "×",
            crate::report::Better::Lower,
            p50.as_secs_f64() / floor.as_secs_f64().max(1e-9),
        ));
    }
    Ok(figures)
}

/// The median time of one small append (its own transaction, committed
/// with `synchronous=FULL`) to a fresh store in `dir`.
fn commit_p50(dir: &Path) -> anyhow::Result<Duration> {
    // A fresh file each time: appending bytes already stored commits nothing.
    let fresh = tempfile::tempdir_in(dir)?;
    let mut store = linli_store::Store::open(&fresh.path().join("floor.sqlite"))?;
    let doc = linli_protocol::DocumentId::from_bytes([0xf1; 16]);
    let mut samples = Vec::with_capacity(SAMPLES);
    for i in 0..SAMPLES {
        let bytes = format!("floor sample {i}").into_bytes();
        let started = Instant::now();
        store.append(&doc, &bytes)?;
        samples.push(started.elapsed());
    }
    Ok(percentile(&samples, 50.0))
}

/// The median time for 64 bytes to go to a loopback echo and back, with
/// Nagle off, on this runtime.
async fn loopback_round_trip_p50() -> anyhow::Result<Duration> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let echo = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await?;
        s.set_nodelay(true)?;
        let mut buf = [0_u8; 64];
        loop {
            if s.read_exact(&mut buf).await.is_err() {
                return Ok::<_, std::io::Error>(());
            }
            s.write_all(&buf).await?;
        }
    });
    let mut c = tokio::net::TcpStream::connect(addr).await?;
    c.set_nodelay(true)?;
    let mut buf = [7_u8; 64];
    let mut samples = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let started = Instant::now();
        c.write_all(&buf).await?;
        c.read_exact(&mut buf).await?;
        samples.push(started.elapsed());
    }
    drop(c);
    let _ = echo.await;
    Ok(percentile(&samples, 50.0))
}
