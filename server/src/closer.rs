//! How one live connection is told to close, and why.
//!
//! Others close a connection from outside its task: the watcher when its
//! token is revoked or changed, the peer registry when the same device
//! connects again, a document task when the peer stops reading. The reason
//! travels with the signal, so the connection's close frame can say it
//! (see [`linli_protocol::CloseReason`]) instead of just dropping the
//! socket, which a browser sees as 1006 with no reason.

use std::sync::{Arc, OnceLock};

use linli_protocol::CloseReason;
use tokio_util::sync::CancellationToken;

/// A cheap handle to close one connection. Clones close the same one.
#[derive(Debug, Clone, Default)]
pub struct Closer {
    cancel: CancellationToken,
    why: Arc<OnceLock<CloseReason>>,
}

impl Closer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the connection to close with `why`. The first reason given
    /// wins: a connection closed as revoked stays revoked.
    pub fn close(&self, why: CloseReason) {
        let _ = self.why.set(why);
        self.cancel.cancel();
    }

    /// Resolves once [`Self::close`] was called, with its reason.
    pub async fn closed(&self) -> CloseReason {
        self.cancel.cancelled().await;
        self.reason()
    }

    /// Whether [`Self::close`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    fn reason(&self) -> CloseReason {
        // Set before the cancel, so always there once cancelled.
        self.why.get().copied().unwrap_or(CloseReason::RelayError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_reason_wins() {
        let closer = Closer::new();
        let other = closer.clone();
        assert!(!closer.is_cancelled());
        other.close(CloseReason::Revoked);
        closer.close(CloseReason::Replaced);
        assert!(closer.is_cancelled());
        assert_eq!(closer.closed().await, CloseReason::Revoked);
    }
}
