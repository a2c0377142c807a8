//! State shared by every request handler.

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::Grants;
use crate::conn_context::ConnContext;
use crate::connection::ConnectionLimits;
use crate::storage::Storage;

/// Everything the router's handlers need; made by [`crate::open`].
#[derive(Clone)]
pub struct AppState {
    /// What each connection works with: registries and directory.
    pub relay: ConnContext,
    /// For token lookups and the audit log.
    pub storage: Storage,
    pub limits: ConnectionLimits,
    pub grants: Grants,
    pub max_connections: usize,
    pub max_connections_per_token: usize,
    /// Cancelled when the relay is told to stop: from then on `/readyz`
    /// says not ready, while connections carry on until `shutdown`.
    pub draining: CancellationToken,
    /// Cancelled when the relay shuts down; connections close on it.
    pub shutdown: CancellationToken,
    /// Tracks connection and document tasks, so shutdown can wait for them.
    pub tasks: TaskTracker,
    /// The street's records as the office pages read them.
    pub office: crate::office::OfficeCache,
    /// The link to the district hub, if `--upstream` (its path to the root
    /// is answered to relays dialing this one).
    pub upstream: crate::upstream::UpstreamShared,
}
