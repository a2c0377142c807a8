//! State shared by every request handler.

use tokio_util::sync::CancellationToken;

use crate::auth::Grants;
use crate::connection::ConnectionLimits;
use crate::hub::Hub;

#[derive(Clone)]
pub struct AppState {
    pub hub: Hub,
    pub limits: ConnectionLimits,
    pub grants: Grants,
    pub max_connections: usize,
    pub max_connections_per_token: usize,
    /// Cancelled when the relay shuts down; connections close on it.
    pub shutdown: CancellationToken,
}
