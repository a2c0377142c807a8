//! What a relay process uses while a workload runs: its peak resident
//! memory (sampled every 50 ms) and its CPU time, from `/proc`.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Samples a process until [`Sampler::finish`].
pub struct Sampler {
    pid: u32,
    cpu_at_start: Option<Duration>,
    stop: watch::Sender<bool>,
    task: JoinHandle<u64>,
}

/// What the process used between start and finish.
pub struct Usage {
    pub peak_rss_bytes: u64,
    pub cpu: Duration,
}

impl Sampler {
    pub fn start(pid: u32) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let mut peak = 0;
            let mut tick = tokio::time::interval(Duration::from_millis(50));
            loop {
                peak = peak.max(rss_bytes(pid).unwrap_or(0));
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stopped.changed() => return peak.max(rss_bytes(pid).unwrap_or(0)),
                }
            }
        });
        Self {
            pid,
            cpu_at_start: cpu_time(pid),
            stop,
            task,
        }
    }

    pub async fn finish(self) -> Usage {
        let cpu_now = cpu_time(self.pid);
        let _ = self.stop.send(true);
        let peak_rss_bytes = self.task.await.unwrap_or(0);
        let cpu = match (self.cpu_at_start, cpu_now) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => Duration::ZERO,
        };
        Usage {
            peak_rss_bytes,
            cpu,
        }
    }
}

/// Resident memory of `pid`, in bytes.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// User plus system CPU time of `pid` so far. `/proc` counts in clock
/// ticks, 100 a second on Linux (`USER_HZ`).
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after it are plain.
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13
    // after the name (whose state field is the first here).
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}
