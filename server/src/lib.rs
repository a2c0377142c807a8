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
pub mod config;
pub mod connection;
pub mod doc_actor;
pub mod frame;
pub mod hub;
pub mod outbound;
pub mod routes;
pub mod state;
pub mod storage;

use linli_protocol::PeerId;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::info;

pub use config::Config;
pub use routes::app;

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
    #[error("relay server failed: {0}")]
    Serve(#[from] std::io::Error),
}

const STORAGE_ID_KEY: &str = "relay.storage_id";

/// Serves the relay on `listener` until `shutdown` is cancelled, then closes
/// every connection, lets in-flight writes finish, and returns.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: CancellationToken,
) -> Result<(), RelayError> {
    let path = config.database_path();
    let storage = Storage::open(&path).map_err(|source| RelayError::Storage {
        path: path.clone(),
        source,
    })?;
    let storage_id = relay_storage_id(&storage).await?;
    let relay_id = PeerId::new(format!("linli-relay-{}", &storage_id[..8]));
    let hub = Hub::new(relay_id, storage, config.idle_evict());
    let state = AppState {
        hub: hub.clone(),
        limits: ConnectionLimits {
            max_message_bytes: config.max_message_bytes,
            join_timeout: config.join_timeout(),
            peer_queue: config.peer_queue,
            storage_id,
        },
        shutdown: shutdown.clone(),
    };
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await?;
    info!("no longer accepting connections; finishing in-flight work");
    hub.shutdown().await;
    Ok(())
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
