//! `linli-relay`: one sync relay per street.
//!
//! The relay is an automerge-repo peer that keeps every document any peer
//! pushes, in SQLite, and syncs each document with every peer that asks for
//! it. The pieces, from the socket inwards:
//!
//! - [`routes::app`] builds the axum router: `GET /healthz` and the
//!   websocket at `/sync`;
//! - [`connection`] runs one peer's connection: handshake, then messages
//!   both ways; bad input ends that connection only, with an `error`;
//! - [`hub::Hub`] maps peer ids to connections and document ids to document
//!   tasks, loading documents on demand and evicting idle ones;
//! - [`doc_actor`] owns one document's [`linli_protocol::DocSync`]: it
//!   stores new changes *before* anything advertising them is sent;
//! - [`access::decide`] is the single place that says what a peer may do.
//!
//! [`serve`] runs a relay on a bound listener until a shutdown token fires,
//! which is how tests run it on port 0.

pub mod access;
pub mod admin;
pub mod auth;
pub mod config;
pub mod connection;
pub mod directory_index;
pub mod doc_actor;
pub mod frame;
pub mod hub;
pub mod outbound;
pub mod rate_limit;
pub mod routes;
pub mod state;
pub mod storage;

use axum::serve::ListenerExt;
use linli_protocol::PeerId;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

pub use config::Config;
pub use routes::app;

use auth::Grants;
use connection::ConnectionLimits;
use hub::Hub;
use state::AppState;
use storage::{Storage, StorageError};

/// Why the relay could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RelayError {
    #[error("cannot open the relay's data folder {path}: {source}")]
    Storage {
        path: std::path::PathBuf,
        source: linli_store::StoreError,
    },
    #[error("relay storage: {0}")]
    StorageTask(#[from] StorageError),
    #[error("relay configuration: {0}")]
    Config(String),
    #[error("relay server failed: {0}")]
    Serve(#[from] std::io::Error),
}

const STORAGE_ID_KEY: &str = "relay.storage_id";

/// Milliseconds since the epoch (0 if the clock is before it).
pub(crate) fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Serves the relay on `listener` until `shutdown` is cancelled, then closes
/// every connection, lets in-flight writes finish, and returns.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: CancellationToken,
) -> Result<(), RelayError> {
    let path = config.database_path();
    let max_bytes = config
        .max_storage_mb
        .map(|mb| mb.saturating_mul(1024 * 1024));
    let storage = Storage::open(&path, max_bytes).map_err(|source| RelayError::Storage {
        path: path.clone(),
        source,
    })?;
    let storage_id = relay_storage_id(&storage).await?;
    let relay_id = PeerId::new(format!("linli-relay-{}", &storage_id[..8]));
    if config.allow_anonymous {
        warn!(
            "--allow-anonymous: anyone who can reach this relay can read and write everything. Never use it with real residents' data."
        );
    }
    let grants = Grants::load(&storage, config.allow_anonymous).await?;
    let directory = match &config.directory {
        Some(url) => Some(
            linli_protocol::DocumentId::parse_id_or_url(url)
                .map_err(|e| RelayError::Config(format!("--directory: {e}")))?,
        ),
        None => storage.run(|s| admin::directory(s)).await?,
    };
    let index = match directory {
        Some(id) => match storage.run(move |s| s.load(&id)).await {
            Ok(Some(doc)) => directory_index::build(id, &doc),
            Ok(None) => access::DirectoryIndex::new(Some(id)),
            Err(e) => {
                warn!(error = %e, "the directory document could not be loaded; only the street admin can reach other documents");
                access::DirectoryIndex::new(Some(id))
            }
        },
        None => access::DirectoryIndex::new(None),
    };
    let hub = Hub::new(
        relay_id,
        storage.clone(),
        config.idle_evict(),
        directory,
        index,
    );
    tokio::spawn(watch_tokens(
        storage,
        grants.clone(),
        hub.clone(),
        shutdown.clone(),
    ));
    let state = AppState {
        hub: hub.clone(),
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
        shutdown: shutdown.clone(),
    };
    // Sync messages are small and answered at once: without TCP_NODELAY,
    // Nagle's algorithm holds a reply back until the peer's delayed ACK.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY not set: {e}");
        }
    });
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await?;
    info!("no longer accepting connections; finishing in-flight work");
    hub.shutdown().await;
    Ok(())
}

/// Polls for token changes made by the admin CLI (another process) and
/// closes the connections of revoked or changed tokens: within a second.
async fn watch_tokens(storage: Storage, grants: Grants, hub: Hub, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(250));
    let mut seen = None;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let Ok(version) = storage.run(|s| s.data_version()).await else {
            continue;
        };
        if seen == Some(version) {
            continue;
        }
        seen = Some(version);
        match grants.refresh(&storage).await {
            Ok(changed) => {
                for name in changed {
                    let closed = hub.close_token(&name);
                    info!(token = %name, closed, "token revoked or changed; its connections were closed");
                }
            }
            Err(e) => warn!(error = %e, "could not reload tokens"),
        }
    }
}

/// The relay's storage id: a UUID made on first start and kept in SQLite.
async fn relay_storage_id(storage: &Storage) -> Result<String, StorageError> {
    storage
        .run(|store| {
            if let Some(id) = store.meta_get(STORAGE_ID_KEY)?
                && let Ok(id) = String::from_utf8(id)
            {
                return Ok(id);
            }
            let b = linli_protocol::DocumentId::random();
            let h: String = b.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
            let id = format!(
                "{}-{}-{}-{}-{}",
                &h[0..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..32]
            );
            store.meta_set(STORAGE_ID_KEY, id.as_bytes())?;
            Ok(id)
        })
        .await
}
