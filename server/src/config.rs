//! Relay settings: flag, then `LINLI_*` environment variable, then default.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// How a relay runs. `linli-relay` with no arguments serves on
/// 127.0.0.1:7171 with its data in `./linli-data`.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "LINLI_LISTEN", default_value = "127.0.0.1:7171")]
    pub listen: SocketAddr,

    /// Folder for the relay's SQLite database (created if missing).
    #[arg(long, env = "LINLI_DATA", default_value = "linli-data", global = true)]
    pub data: PathBuf,

    /// Where documents, tokens and the audit log are stored, when not in
    /// the SQLite file in `--data`: a PostgreSQL connection string
    /// (`postgres://user@host/db`), for a district hub. Several hub
    /// processes may share one database; each hears the others' changes.
    /// The data folder still holds the first admin token's file.
    #[arg(long, env = "LINLI_STORAGE", value_name = "URL", global = true)]
    pub storage: Option<String>,

    /// Let connections without a token in, with full rights. For local
    /// development only: never on a relay with real residents' data.
    #[arg(long, env = "LINLI_ALLOW_ANONYMOUS")]
    pub allow_anonymous: bool,

    /// The street's directory document (automerge URL). It says which
    /// document is which building, team and task board, which decides who
    /// may read and write what. Overrides the one set with `directory set`.
    #[arg(long, env = "LINLI_DIRECTORY")]
    pub directory: Option<String>,

    /// Largest websocket message accepted from a peer, in bytes.
    #[arg(long, env = "LINLI_MAX_MESSAGE_BYTES", default_value_t = 32 * 1024 * 1024)]
    pub max_message_bytes: usize,

    /// Seconds a new connection has to send `join`.
    #[arg(long, env = "LINLI_JOIN_TIMEOUT_SECS", default_value_t = 10)]
    pub join_timeout_secs: u64,

    /// Messages queued for one peer before the relay gives up on it as dead
    /// (it reconnects and resyncs from scratch).
    #[arg(long, env = "LINLI_PEER_QUEUE", default_value_t = 1024)]
    pub peer_queue: usize,

    /// Messages per second one connection may send (bursts of ten times
    /// this are allowed); past that it is closed with an error.
    #[arg(long, env = "LINLI_MAX_MESSAGES_PER_SEC", default_value_t = 200)]
    pub max_messages_per_sec: u32,

    /// Open connections in total.
    #[arg(long, env = "LINLI_MAX_CONNECTIONS", default_value_t = 2000)]
    pub max_connections: usize,

    /// Open connections per token (one person's phone, laptop, …).
    #[arg(long, env = "LINLI_MAX_CONNECTIONS_PER_TOKEN", default_value_t = 16)]
    pub max_connections_per_token: usize,

    /// Documents one connection may sync.
    #[arg(long, env = "LINLI_MAX_DOCS_PER_CONNECTION", default_value_t = 5000)]
    pub max_docs_per_connection: usize,

    /// Seconds without any frame from a peer (the relay pings it) before
    /// its connection is closed.
    #[arg(long, env = "LINLI_IDLE_TIMEOUT_SECS", default_value_t = 120)]
    pub idle_timeout_secs: u64,

    /// Seconds a document stays in memory with no peer syncing it.
    #[arg(long, env = "LINLI_IDLE_EVICT_SECS", default_value_t = 30)]
    pub idle_evict_secs: u64,

    /// Seconds to keep serving after SIGTERM or SIGINT while `/readyz`
    /// answers 503, so a load balancer stops sending devices here before
    /// connections close; a second signal ends the wait. 0 (the default,
    /// for a relay with no load balancer in front) closes at once.
    #[arg(long, env = "LINLI_DRAIN_SECS", default_value_t = 0)]
    pub drain_secs: u64,

    /// Memory, in MiB, the loaded documents may hold together. Past it the
    /// least recently used idle documents (no peer syncing them) are
    /// dropped from memory; they load again from the database when next
    /// asked for. A document in use is never dropped, and one larger than
    /// the whole budget is still served (the log and
    /// `linli_documents_over_budget_total` say so).
    ///
    /// The default, 256, suits a 1 GB box: the relay itself takes a few tens
    /// of MiB more (BENCHMARKS.md has the measured figure), which leaves
    /// half the box to the OS, SQLite's page cache in the file cache, and
    /// backups. A building document of 60 households costs about 0.2 MB
    /// loaded, so 256 MiB keeps a whole street of 210 buildings loaded
    /// several times over; the budget is for the street that grows, and the
    /// box that is smaller.
    #[arg(long, env = "LINLI_MEMORY_BUDGET", default_value_t = 256)]
    pub memory_budget: u64,

    /// Largest the relay's database may grow, in MiB. Past it the relay
    /// stores no new changes, as if the disk were full: the sender gets an
    /// error, its device keeps the changes and retries, everything stored
    /// stays readable. Unset: only the disk limits it.
    #[arg(long, env = "LINLI_MAX_STORAGE_MB")]
    pub max_storage_mb: Option<u64>,

    /// How log lines are written to standard error: `text` for a person
    /// reading a terminal or the journal, `json` (one object a line) for a
    /// log collector. Either way logs never carry tokens, residents' data or
    /// document contents.
    #[arg(
        long,
        env = "LINLI_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text,
        global = true
    )]
    pub log_format: LogFormat,

    /// Where Prometheus scrapes the relay's metrics (`/metrics`): a listener
    /// of its own, on loopback by default, so the figures are never exposed
    /// beside the websocket. `off` serves none; port 0 picks a free port
    /// (printed at start), as tests running many relays do.
    #[arg(long, env = "LINLI_METRICS_LISTEN", default_value = "127.0.0.1:9171")]
    pub metrics_listen: MetricsListen,

    /// The district hub this street relay feeds (`wss://hub/sync`). The
    /// relay keeps one outbound connection to it and syncs what the street
    /// shares up and what the district shares down. Unset: no hub, the
    /// relay works exactly as a lone street relay.
    #[arg(long, env = "LINLI_UPSTREAM")]
    pub upstream: Option<String>,

    /// The `street-relay` token the hub gave this street (never printed or
    /// logged).
    #[arg(
        long,
        env = "LINLI_UPSTREAM_TOKEN",
        hide_env_values = true,
        requires = "upstream"
    )]
    pub upstream_token: Option<Secret>,

    /// A shared document the hub still lacks this many seconds after it
    /// was offered is offered again from scratch (the hub may have refused
    /// it before the district listed the street, or lost it in a restore).
    #[arg(
        long,
        env = "LINLI_UPSTREAM_REOFFER_SECS",
        default_value_t = 20,
        value_parser = clap::value_parser!(u64).range(1..),
        requires = "upstream"
    )]
    pub upstream_reoffer_secs: u64,
}

/// A secret given on the command line: kept out of `Debug` and logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line (timestamp, level, target, message and
    /// fields at the top level).
    Json,
}

/// `--metrics-listen`: an address, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricsListen(pub Option<SocketAddr>);

impl std::str::FromStr for MetricsListen {
    type Err = std::net::AddrParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("off") {
            return Ok(Self(None));
        }
        s.parse().map(|addr| Self(Some(addr)))
    }
}

impl Config {
    /// Defaults with data in `data`, listening on an ephemeral loopback port;
    /// for tests and embedding.
    pub fn for_data(data: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data: data.into(),
            storage: None,
            allow_anonymous: false,
            directory: None,
            max_messages_per_sec: 200,
            max_connections: 2000,
            max_connections_per_token: 16,
            max_docs_per_connection: 5000,
            idle_timeout_secs: 120,
            max_message_bytes: 32 * 1024 * 1024,
            join_timeout_secs: 10,
            peer_queue: 1024,
            idle_evict_secs: 30,
            drain_secs: 0,
            memory_budget: 256,
            log_format: LogFormat::Text,
            max_storage_mb: None,
            metrics_listen: MetricsListen(None),
            upstream: None,
            upstream_token: None,
            upstream_reoffer_secs: 20,
        }
    }

    pub fn join_timeout(&self) -> Duration {
        Duration::from_secs(self.join_timeout_secs)
    }

    pub fn drain(&self) -> Duration {
        Duration::from_secs(self.drain_secs)
    }

    pub fn idle_evict(&self) -> Duration {
        Duration::from_secs(self.idle_evict_secs)
    }

    /// `--memory-budget` in bytes.
    pub fn memory_budget_bytes(&self) -> u64 {
        self.memory_budget.saturating_mul(1024 * 1024)
    }

    /// The PostgreSQL connection string of `--storage`, if the relay
    /// stores there; an error for anything else.
    pub fn postgres(&self) -> Result<Option<&str>, String> {
        match self.storage.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Some(url))
            }
            Some(_) => Err(
                "--storage takes a postgres:// URL (SQLite, the default, lives in --data)".into(),
            ),
        }
    }

    /// The SQLite file inside the data folder.
    pub fn database_path(&self) -> PathBuf {
        self.data.join("relay.sqlite")
    }
}
