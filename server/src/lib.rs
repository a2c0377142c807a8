//! `linli-relay`: one sync relay per street.
//!
//! The relay is an automerge-repo peer that keeps every document any peer
//! pushes, in SQLite, and syncs each document with every peer that asks for
//! it. The pieces, from the socket inwards:
//!
//! - [`routes::app`] builds the axum router: `GET /livez`, `/readyz`, `/healthz`, `GET /status`,
//!   `GET /audit?doc=`, `GET /api/me` and the websocket at `/sync`;
//! - [`closer::Closer`] closes a live connection from outside with a
//!   reason, which its close frame carries ([`linli_protocol::CloseReason`]);
//! - [`sign_in_link`] builds the field app's sign-in link for a new token;
//! - [`connection`] runs one peer's connection: handshake, then messages
//!   both ways; bad input ends that connection only, with an `error`;
//! - [`peers::PeerRegistry`] maps peer ids to live connections;
//! - [`documents::DocRegistry`] maps document ids to document tasks,
//!   loading documents on demand; idle ones end themselves, and the least
//!   recently used idle ones are evicted when loaded documents hold more
//!   than the memory budget (measured with [`heap::CountingAllocator`]);
//! - [`doc_actor`] owns one document's [`linli_protocol::DocSync`]: it
//!   stores new changes *before* anything advertising them is sent;
//! - [`access::decide`] is the single place that says what a peer may do,
//!   from the [`street_directory::StreetDirectory`];
//! - [`watch`] applies what the admin CLI changes while the relay runs;
//! - [`metrics::Metrics`] counts what happens, one registry per relay,
//!   served at `/metrics` on a listener of its own.
//!
//! Running a relay takes three calls: [`open`] makes its state and starts
//! its background tasks, [`app`] is its router, and [`serve`] serves that
//! router on a bound listener until a shutdown future completes. Tests bind
//! port 0 and run it in-process (`server/tests/in_process.rs`).

pub mod access;
pub mod admin;
pub mod auth;
pub mod closer;
pub mod config;
pub mod conn_context;
pub mod connection;
pub mod directory_index;
pub mod district_index;
pub mod doc_actor;
pub mod documents;
pub mod heap;
pub mod metrics;
pub mod office;
pub mod outbound;
pub mod peers;
pub mod rate_limit;
pub mod rescope;
pub mod routes;
pub mod sign_in_link;
pub mod state;
pub mod storage;
pub mod street_directory;
pub mod upstream;
pub mod watch;

use std::future::Future;

use axum::serve::ListenerExt;
use linli_protocol::PeerId;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{info, warn};

pub use config::Config;
pub use routes::app;

use auth::Grants;
use conn_context::ConnContext;
use connection::ConnectionLimits;
use doc_actor::DocContext;
use documents::DocRegistry;
use peers::PeerRegistry;
use state::AppState;
use storage::{Storage, StorageError};
use street_directory::StreetDirectory;

/// Why the relay could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RelayError {
    #[error("cannot open the relay's data folder {path}: {source}")]
    Storage {
        path: std::path::PathBuf,
        source: linli_store::StoreError,
    },
    #[error("cannot open the relay's PostgreSQL storage (--storage): {0}")]
    Postgres(linli_store::StoreError),
    #[error("relay storage: {0}")]
    StorageTask(#[from] StorageError),
    #[error("relay configuration: {0}")]
    Config(String),
    #[error("relay server failed: {0}")]
    Serve(#[from] std::io::Error),
}

const STORAGE_ID_KEY: &str = "relay.storage_id";

/// The system clock as milliseconds since the epoch (0 if the clock is
/// before it). Only drivers read it, the admin commands and the document
/// tasks' loop, and pass the time into what they call, so relay logic can be
/// run and tested at any time.
pub fn wall_clock_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Opens the relay's storage, loads its tokens and directory, and starts
/// the background task that follows the admin CLI's changes. The returned
/// state is ready for [`app`] and [`serve`]; its background task stops when
/// `state.shutdown` is cancelled (which [`serve`] does).
pub async fn open(config: &Config) -> Result<AppState, RelayError> {
    let path = config.database_path();
    let max_bytes = config
        .max_storage_mb
        .map(|mb| mb.saturating_mul(1024 * 1024));
    let storage = match config.postgres().map_err(RelayError::Config)? {
        Some(url) => Storage::open_postgres(url)
            .await
            .map_err(RelayError::Postgres)?,
        None => Storage::open(&path, max_bytes).map_err(|source| RelayError::Storage {
            path: path.clone(),
            source,
        })?,
    };
    let storage_id = relay_storage_id(&storage).await?;
    let relay_id = PeerId::new(format!("linli-relay-{}", &storage_id[..8]));
    if config.allow_anonymous {
        warn!(
            "--allow-anonymous: anyone who can reach this relay can read and write everything. Never use it with real residents' data."
        );
    }
    let grants = Grants::load(&storage, config.allow_anonymous).await?;
    let directory = open_directory(config, &storage).await?;
    let shutdown = CancellationToken::new();
    let tasks = TaskTracker::new();
    let peers = PeerRegistry::new();
    let metrics = metrics::Metrics::new();
    let docs = DocRegistry::new(
        DocContext {
            storage: storage.clone(),
            relay_id: relay_id.clone(),
            idle_evict: config.idle_evict(),
            directory: directory.clone(),
            metrics: metrics.clone(),
        },
        tasks.clone(),
        config.memory_budget_bytes(),
    );
    tokio::spawn(rescope::close_lost_access(
        directory.clone(),
        grants.clone(),
        peers.clone(),
        shutdown.clone(),
    ));
    tokio::spawn(watch::admin_changes(
        watch::Watched {
            storage: storage.clone(),
            grants: grants.clone(),
            peers: peers.clone(),
            docs: docs.clone(),
            directory: directory.clone(),
            follow_directory_setting: config.directory.is_none(),
            metrics: metrics.clone(),
        },
        shutdown.clone(),
    ));
    let state = AppState {
        relay: ConnContext {
            relay_id,
            peers,
            docs,
            directory,
            metrics,
        },
        storage,
        limits: ConnectionLimits {
            max_message_bytes: config.max_message_bytes,
            join_timeout: config.join_timeout(),
            peer_queue: config.peer_queue,
            storage_id,
            max_messages_per_sec: config.max_messages_per_sec,
            max_docs: config.max_docs_per_connection,
            idle_timeout: std::time::Duration::from_secs(config.idle_timeout_secs.max(1)),
        },
        grants,
        max_connections: config.max_connections,
        max_connections_per_token: config.max_connections_per_token,
        draining: CancellationToken::new(),
        shutdown,
        tasks,
        office: office::OfficeCache::default(),
        upstream: upstream::UpstreamShared::default(),
    };
    if let Some(url) = &config.upstream {
        upstream::check_not_self(url, config.listen).map_err(RelayError::Config)?;
        upstream::spawn(
            &state,
            url.clone(),
            config.upstream_token.as_ref().map(|t| t.0.clone()),
            std::time::Duration::from_secs(config.upstream_reoffer_secs),
        );
    }
    Ok(state)
}

/// The street's directory: from `--directory`, else the stored setting,
/// indexed from its stored content.
async fn open_directory(config: &Config, storage: &Storage) -> Result<StreetDirectory, RelayError> {
    let directory = match &config.directory {
        Some(url) => Some(
            linli_protocol::DocumentId::parse_id_or_url(url)
                .map_err(|e| RelayError::Config(format!("--directory: {e}")))?,
        ),
        None => storage.directory().await?,
    };
    let index = match directory {
        Some(id) => match storage.load_document(id).await {
            // A hub's district directory is indexed below, with its streets.
            Ok(Some(doc))
                if linli_records::root::detect_kind(&doc).ok().flatten()
                    == Some(linli_records::DocKind::District) =>
            {
                access::DirectoryIndex::new(Some(id))
            }
            Ok(Some(doc)) => directory_index::build(id, &doc),
            Ok(None) => access::DirectoryIndex::new(Some(id)),
            Err(e) => {
                warn!(error = %e, "the directory document could not be loaded; only the street admin can reach other documents");
                access::DirectoryIndex::new(Some(id))
            }
        },
        None => access::DirectoryIndex::new(None),
    };
    let street_directory = StreetDirectory::new(directory, index);
    if let Some(id) = directory
        && let Ok(Some(doc)) = storage.load_document(id).await
    {
        // On a hub, the district directory lists the streets' directories:
        // index each as stored.
        street_directory.document_changed(id, &doc);
        for street in street_directory.street_directories() {
            if let Ok(Some(doc)) = storage.load_document(street).await {
                street_directory.document_changed(street, &doc);
            }
        }
    }
    Ok(street_directory)
}

/// Serves [`app`]`(state)` on `listener` until `shutdown` completes, then
/// closes every connection, lets in-flight writes finish, stops the
/// background tasks, and returns.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RelayError> {
    // Sync messages are small and answered at once: without TCP_NODELAY,
    // Nagle's algorithm holds a reply back until the peer's delayed ACK.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY not set: {e}");
        }
    });
    let stop = state.shutdown.clone();
    let served = axum::serve(listener, app(state.clone()))
        .with_graceful_shutdown(async move {
            shutdown.await;
            stop.cancel();
        })
        .await;
    // Whatever ended serving, the connections and background tasks end too.
    state.shutdown.cancel();
    info!("no longer accepting connections; finishing in-flight work");
    state.relay.docs.stop_all();
    state.tasks.close();
    state.tasks.wait().await;
    served?;
    Ok(())
}

/// The relay's storage id: a UUID made on first start and kept in SQLite.
async fn relay_storage_id(storage: &Storage) -> Result<String, StorageError> {
    // Drawn here, in the driver, from the OS-seeded thread RNG: the protocol
    // core takes its randomness as an argument.
    let fresh = linli_protocol::handshake::new_storage_id(&mut rand::rng());
    // Two hub processes starting at once on one PostgreSQL may both find
    // no id; the one read back after writing is what both keep (the last
    // write wins for both before either serves).
    if let Some(id) = linli_store::DocumentStore::meta_get(storage, STORAGE_ID_KEY).await?
        && let Ok(id) = String::from_utf8(id)
    {
        return Ok(id);
    }
    linli_store::DocumentStore::meta_set(storage, STORAGE_ID_KEY, fresh.clone().into_bytes())
        .await?;
    Ok(
        linli_store::DocumentStore::meta_get(storage, STORAGE_ID_KEY)
            .await?
            .and_then(|id| String::from_utf8(id).ok())
            .unwrap_or(fresh),
    )
}
