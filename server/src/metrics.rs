//! The relay's Prometheus metrics, served in the text exposition format at
//! `/metrics` on a listener of its own (`--metrics-listen`), never beside
//! the websocket.
//!
//! One [`Metrics`] per relay, each with its own
//! [`prometheus_client::registry::Registry`]: there is no process-wide
//! registry, so two relays in one test process keep their own numbers. It is
//! a handful of shared handles, cloned into the places where things happen
//! (connections, document tasks, the admin watcher).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Why the relay refused something; the `reason` label of
/// `linli_refusals_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalReason {
    /// No token, or an unknown or revoked one.
    Auth,
    /// Too many messages per second on one connection.
    Rate,
    /// A message over `--max-message-bytes`.
    Size,
    /// A change sent by a peer that may only read the document.
    ReadOnly,
    /// Storage (the disk or `--max-storage-mb`) is full.
    DiskFull,
    /// Any other store failure.
    Storage,
}

impl RefusalReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::Rate => "rate",
            Self::Size => "size",
            Self::ReadOnly => "read_only",
            Self::DiskFull => "disk_full",
            Self::Storage => "storage",
        }
    }
}

/// Why a loaded document was dropped from memory; the `reason` label of
/// `linli_evictions_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvictionReason {
    /// No peer synced it for `--idle-evict-secs`.
    Idle,
    /// Loaded documents held more than `--memory-budget`; it was the least
    /// recently used idle one.
    Budget,
}

impl EvictionReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Budget => "budget",
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RoleLabel {
    role: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TypeLabel {
    r#type: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DocLabel {
    doc: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

/// Every figure the relay keeps, and the registry that names them.
/// Cheap to clone: handles to shared atomics.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    connections_open: Family<RoleLabel, Gauge>,
    messages_received: Family<TypeLabel, Counter>,
    bytes_received: Family<TypeLabel, Counter>,
    messages_sent: Family<TypeLabel, Counter>,
    bytes_sent: Family<TypeLabel, Counter>,
    changes_stored: Counter,
    refusals: Family<ReasonLabel, Counter>,
    documents_loaded: Gauge,
    documents_memory: Gauge,
    memory_budget: Gauge,
    documents_over_budget: Counter,
    evictions: Family<ReasonLabel, Counter>,
    token_revocations: Counter,
    store_seconds: Histogram,
    upstream_connected: Gauge,
    upstream_covered: Family<DocLabel, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh set of figures, all zero, in a registry of its own.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("linli");
        let connections_open = Family::<RoleLabel, Gauge>::default();
        registry.register(
            "connections_open",
            "Open websocket connections, by the token's role",
            connections_open.clone(),
        );
        let messages_received = Family::<TypeLabel, Counter>::default();
        registry.register(
            "messages_received",
            "Protocol messages received from peers, by message type",
            messages_received.clone(),
        );
        let bytes_received = Family::<TypeLabel, Counter>::default();
        registry.register(
            "bytes_received",
            "Bytes of protocol messages received from peers, by message type",
            bytes_received.clone(),
        );
        let messages_sent = Family::<TypeLabel, Counter>::default();
        registry.register(
            "messages_sent",
            "Protocol messages sent by document tasks to peers, by message type",
            messages_sent.clone(),
        );
        let bytes_sent = Family::<TypeLabel, Counter>::default();
        registry.register(
            "bytes_sent",
            "Bytes of protocol messages sent by document tasks to peers, by message type",
            bytes_sent.clone(),
        );
        let changes_stored = Counter::default();
        registry.register(
            "changes_stored",
            "Changes committed to storage (durable)",
            changes_stored.clone(),
        );
        let refusals = Family::<ReasonLabel, Counter>::default();
        registry.register(
            "refusals",
            "Requests, messages or changes the relay refused, by reason",
            refusals.clone(),
        );
        let documents_loaded = Gauge::default();
        registry.register(
            "documents_loaded",
            "Documents held in memory by a document task",
            documents_loaded.clone(),
        );
        let documents_memory = Gauge::default();
        registry.register_with_unit(
            "documents_memory",
            "Memory the loaded documents hold (measured at load, plus growth since)",
            prometheus_client::registry::Unit::Bytes,
            documents_memory.clone(),
        );
        let memory_budget = Gauge::default();
        registry.register_with_unit(
            "memory_budget",
            "The memory loaded documents may hold together (--memory-budget)",
            prometheus_client::registry::Unit::Bytes,
            memory_budget.clone(),
        );
        let documents_over_budget = Counter::default();
        registry.register(
            "documents_over_budget",
            "Loads of a document larger than the whole memory budget (served all the same)",
            documents_over_budget.clone(),
        );
        let evictions = Family::<ReasonLabel, Counter>::default();
        registry.register(
            "evictions",
            "Idle documents dropped from memory, by reason (idle: unused for a while; budget: to make room)",
            evictions.clone(),
        );
        let token_revocations = Counter::default();
        registry.register(
            "token_revocations",
            "Token revocations applied to live connections",
            token_revocations.clone(),
        );
        // 1 ms to ~16 s: a commit on a small box, up to a stalled disk.
        let store_seconds = Histogram::new(exponential_buckets(0.001, 2.0, 15));
        registry.register(
            "store_seconds",
            "Seconds from receiving a sync message with new changes to their being durable",
            store_seconds.clone(),
        );
        let upstream_connected = Gauge::default();
        registry.register(
            "upstream_connected",
            "1 while the link to the district hub (--upstream) is up",
            upstream_connected.clone(),
        );
        let upstream_covered = Family::<DocLabel, Gauge>::default();
        registry.register(
            "upstream_document_covered",
            "Per document the street shares up: 1 when the hub's heads cover this relay's (the hub has everything)",
            upstream_covered.clone(),
        );
        Self {
            registry: Arc::new(registry),
            upstream_connected,
            upstream_covered,
            connections_open,
            messages_received,
            bytes_received,
            messages_sent,
            bytes_sent,
            changes_stored,
            refusals,
            documents_loaded,
            documents_memory,
            memory_budget,
            documents_over_budget,
            evictions,
            token_revocations,
            store_seconds,
        }
    }

    /// Whether the upstream link to the hub is up.
    pub fn upstream_connected(&self, up: bool) {
        self.upstream_connected.set(i64::from(up));
    }

    /// Whether the hub holds everything of `doc` (an automerge URL).
    pub fn upstream_document_covered(&self, doc: &str, covered: bool) {
        self.upstream_covered
            .get_or_create(&DocLabel {
                doc: doc.to_owned(),
            })
            .set(i64::from(covered));
    }

    /// Counts a connection open for its lifetime: the returned guard
    /// uncounts it when dropped, however the connection ends.
    pub fn connection_opened(&self, role: &'static str) -> ConnectionGuard {
        let gauge = self
            .connections_open
            .get_or_create(&RoleLabel { role })
            .clone();
        gauge.inc();
        ConnectionGuard(gauge)
    }

    pub fn message_received(&self, kind: &'static str, bytes: usize) {
        let label = TypeLabel { r#type: kind };
        self.messages_received.get_or_create(&label).inc();
        self.bytes_received
            .get_or_create(&label)
            .inc_by(bytes as u64);
    }

    pub fn message_sent(&self, kind: &'static str, bytes: usize) {
        let label = TypeLabel { r#type: kind };
        self.messages_sent.get_or_create(&label).inc();
        self.bytes_sent.get_or_create(&label).inc_by(bytes as u64);
    }

    /// `count` changes are durable, `elapsed` after their message arrived.
    pub fn changes_stored(&self, count: usize, elapsed: Duration) {
        self.changes_stored.inc_by(count as u64);
        self.store_seconds.observe(elapsed.as_secs_f64());
    }

    pub fn refused(&self, reason: RefusalReason) {
        self.refusals
            .get_or_create(&ReasonLabel {
                reason: reason.as_str(),
            })
            .inc();
    }

    /// Counts a document loaded for its task's lifetime.
    pub fn document_loaded(&self) -> DocumentGuard {
        self.documents_loaded.inc();
        DocumentGuard(self.documents_loaded.clone())
    }

    pub fn evicted(&self, reason: EvictionReason) {
        self.evictions
            .get_or_create(&ReasonLabel {
                reason: reason.as_str(),
            })
            .inc();
    }

    /// Loaded documents now hold `bytes` together, of a budget of `budget`.
    pub fn documents_memory(&self, bytes: u64, budget: u64) {
        self.documents_memory
            .set(i64::try_from(bytes).unwrap_or(i64::MAX));
        self.memory_budget
            .set(i64::try_from(budget).unwrap_or(i64::MAX));
    }

    /// A loaded document is larger than the whole memory budget.
    pub fn document_over_budget(&self) {
        self.documents_over_budget.inc();
    }

    pub fn token_revoked(&self) {
        self.token_revocations.inc();
    }

    /// Every figure in the text exposition format.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Keeps one connection counted in `linli_connections_open`.
pub struct ConnectionGuard(Gauge);

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Keeps one document counted in `linli_documents_loaded`.
pub struct DocumentGuard(Gauge);

impl Drop for DocumentGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Serves [`app`] on `listener` until `shutdown` is cancelled.
pub async fn serve(
    listener: tokio::net::TcpListener,
    metrics: Metrics,
    shutdown: tokio_util::sync::CancellationToken,
) -> std::io::Result<()> {
    axum::serve(listener, app(metrics))
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
}

/// The metrics listener's router: `GET /metrics` and nothing else.
pub fn app(metrics: Metrics) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(metrics)
}

async fn scrape(State(metrics): State<Metrics>) -> Response {
    match metrics.encode() {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
