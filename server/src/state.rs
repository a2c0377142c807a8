//! State shared by every request handler.

use tokio_util::sync::CancellationToken;

use crate::connection::ConnectionLimits;
use crate::hub::Hub;

#[derive(Clone)]
pub struct AppState {
    pub hub: Hub,
    pub limits: ConnectionLimits,
    /// Cancelled when the relay shuts down; connections close on it.
    pub shutdown: CancellationToken,
}
