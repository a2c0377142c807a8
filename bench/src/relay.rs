//! The two relays under test, each a real process on a loopback port with
//! its data in a folder of its own.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// How long a relay may take to start or stop before the run fails.
const PATIENCE: Duration = Duration::from_secs(120);

/// Limits of linli-relay raised for the benchmark, so that the workloads
/// measure the relay and not its per-connection defences (200 messages a
/// second, 16 connections per token, 2000 in total, idle after 120 s).
const LINLI_BENCH_LIMITS: &[&str] = &[
    "--max-messages-per-sec",
    "1000000",
    "--max-connections",
    "100000",
    "--max-connections-per-token",
    "100000",
    "--idle-timeout-secs",
    "3600",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Linli,
    Samod,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Linli => "linli",
            Kind::Samod => "samod",
        }
    }

    fn binary(self) -> &'static str {
        match self {
            Kind::Linli => "linli-relay",
            Kind::Samod => "samod-relay",
        }
    }
}

/// A running relay process; killed when dropped.
pub struct Relay {
    pub kind: Kind,
    /// The websocket URL, without credentials.
    pub url: String,
    /// linli's street-admin token (None for samod, which takes none).
    pub token: Option<String>,
    /// `host:port` of linli-relay's metrics listener (None for samod).
    pub metrics_addr: Option<String>,
    data: PathBuf,
    bin: PathBuf,
    child: Child,
    /// linli-relay's own abuse limits, as a street runs it, instead of the
    /// raised ones.
    default_limits: bool,
    /// linli-relay's `--storage` (PostgreSQL), when not its SQLite file.
    storage: Option<String>,
    /// More flags, kept across restarts (`--upstream`).
    extra: Vec<String>,
}

impl Relay {
    /// Starts the relay on a fresh port with its data in `data`.
    pub fn start(kind: Kind, bin_dir: &Path, data: &Path) -> anyhow::Result<Self> {
        Self::start_as(kind, bin_dir, data, false, None, Vec::new())
    }

    /// Starts linli-relay with its own defaults, as a street runs it (the
    /// field app's figures: one phone at a time, nothing to raise).
    pub fn start_linli_defaults(bin_dir: &Path, data: &Path) -> anyhow::Result<Self> {
        Self::start_as(Kind::Linli, bin_dir, data, true, None, Vec::new())
    }

    /// Starts linli-relay storing on the PostgreSQL database `storage` (a
    /// district hub's), with `data` for its admin token file.
    pub fn start_linli_on(bin_dir: &Path, data: &Path, storage: &str) -> anyhow::Result<Self> {
        Self::start_as(
            Kind::Linli,
            bin_dir,
            data,
            false,
            Some(storage.to_owned()),
            Vec::new(),
        )
    }

    /// Starts linli-relay with the benchmark's limits and `extra` flags
    /// (a street linked to a hub), kept across restarts.
    pub fn start_linli_with(bin_dir: &Path, data: &Path, extra: &[&str]) -> anyhow::Result<Self> {
        let extra = extra.iter().map(|a| (*a).to_owned()).collect();
        Self::start_as(Kind::Linli, bin_dir, data, false, None, extra)
    }

    fn start_as(
        kind: Kind,
        bin_dir: &Path,
        data: &Path,
        default_limits: bool,
        storage: Option<String>,
        extra: Vec<String>,
    ) -> anyhow::Result<Self> {
        let bin = bin_dir.join(kind.binary());
        if !bin.exists() {
            bail!(
                "{} not found; build first: cargo build --release --bins",
                bin.display()
            );
        }
        let (child, url, metrics_addr) =
            spawn(kind, &bin, data, default_limits, storage.as_deref(), &extra)?;
        let token = match kind {
            Kind::Linli => Some(
                std::fs::read_to_string(data.join("admin-token"))
                    .context("linli-relay wrote no admin-token")?
                    .trim()
                    .to_owned(),
            ),
            Kind::Samod => None,
        };
        Ok(Self {
            kind,
            url,
            token,
            metrics_addr,
            data: data.to_path_buf(),
            bin,
            child,
            default_limits,
            storage,
            extra,
        })
    }

    /// SIGTERM and wait for the process to exit (both relays finish their
    /// writes on SIGTERM).
    pub fn stop(&mut self) -> anyhow::Result<()> {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status()?;
        let deadline = Instant::now() + PATIENCE;
        while self.child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                bail!("{} did not stop after SIGTERM", self.kind.name());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }

    /// Stops the relay and starts it again on the same data. Returns how
    /// long the new process took to listen.
    pub fn restart(&mut self) -> anyhow::Result<Duration> {
        self.stop()?;
        let started = Instant::now();
        let (child, url, metrics_addr) = spawn(
            self.kind,
            &self.bin,
            &self.data,
            self.default_limits,
            self.storage.as_deref(),
            &self.extra,
        )?;
        let ready = started.elapsed();
        self.child = child;
        self.url = url;
        self.metrics_addr = metrics_addr;
        Ok(ready)
    }

    /// The relay's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory of the relay process, in bytes.
    pub fn rss_bytes(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let kb = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .context("no VmRSS in /proc status")?;
        Ok(kb * 1024)
    }

    /// The folder holding the relay's data (for its admin subcommands).
    pub fn data(&self) -> &Path {
        &self.data
    }

    /// The program (for its admin subcommands).
    pub fn program(&self) -> &Path {
        &self.bin
    }

    /// Bytes of every file under the relay's data folder.
    pub fn disk_bytes(&self) -> anyhow::Result<u64> {
        dir_bytes(&self.data)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

static LOG_SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn spawn(
    kind: Kind,
    bin: &Path,
    data: &Path,
    default_limits: bool,
    storage: Option<&str>,
    extra: &[String],
) -> anyhow::Result<(Child, String, Option<String>)> {
    let mut cmd = Command::new(bin);
    cmd.arg("--listen")
        .arg("127.0.0.1:0")
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // `LINLI_BENCH_RELAY_LOGS=FOLDER`: each relay's log (at `RUST_LOG`'s
    // level, else info) goes to FOLDER/<pid-of-bench>-<n>.log, to find out
    // why a run stalls. Off by default: logging costs time.
    if let Some(folder) = std::env::var_os("LINLI_BENCH_RELAY_LOGS") {
        let level = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into());
        let path = Path::new(&folder).join(format!(
            "{}-{}.log",
            std::process::id(),
            LOG_SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let file =
            std::fs::File::create(&path).with_context(|| format!("create {}", path.display()))?;
        cmd.env("RUST_LOG", level).stderr(file);
    }
    if kind == Kind::Linli {
        // Not the fixed default port: several relays may run at once.
        cmd.args(["--metrics-listen", "127.0.0.1:0"]);
    }
    if kind == Kind::Linli && !default_limits {
        cmd.args(LINLI_BENCH_LIMITS);
    }
    if let Some(storage) = storage {
        cmd.arg("--storage").arg(storage);
    }
    cmd.args(extra);
    let mut child = cmd
        .spawn()
        .with_context(|| format!("start {}", bin.display()))?;
    let stdout = child.stdout.take().context("relay stdout")?;
    let prefix = format!("{} serving ", kind.binary());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // linli-relay prints its metrics address first.
        let mut metrics = None;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("linli-relay metrics at http://") {
                metrics = rest.strip_suffix("/metrics").map(str::to_owned);
            }
            if let Some(rest) = line.strip_prefix(&prefix) {
                let url = rest.split_whitespace().next().unwrap_or_default();
                let _ = tx.send((url.to_owned(), metrics.take()));
            }
        }
    });
    let (url, metrics) = rx
        .recv_timeout(PATIENCE)
        .with_context(|| format!("{} did not print its URL", kind.binary()))?;
    Ok((child, url, metrics))
}

/// Bytes under `dir`. A running relay may remove a file while this walks
/// (samod replaces incremental files with a compacted one): what vanished
/// counts as nothing.
fn dir_bytes(dir: &Path) -> anyhow::Result<u64> {
    let gone = |e: &std::io::Error| e.kind() == std::io::ErrorKind::NotFound;
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if gone(&e) => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let mut total = 0;
    for entry in entries {
        let entry = entry?;
        let meta = match entry.metadata() {
            Ok(meta) => meta,
            Err(e) if gone(&e) => continue,
            Err(e) => return Err(e.into()),
        };
        total += if meta.is_dir() {
            dir_bytes(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}

/// The folder holding the relay and CLI programs: `given`, or the folder
/// of this program (where cargo builds them all).
pub fn bin_dir(given: Option<std::path::PathBuf>) -> anyhow::Result<std::path::PathBuf> {
    match given {
        Some(d) => Ok(d),
        None => Ok(std::env::current_exe()?
            .parent()
            .ok_or_else(|| anyhow::anyhow!("this program has no folder"))?
            .to_path_buf()),
    }
}
