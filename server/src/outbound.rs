//! What the relay sends to one connection, and the handle others use to
//! send it without ever waiting on that peer.

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::debug;

/// One item for a connection's writer.
#[derive(Debug)]
pub enum Outbound {
    /// An encoded protocol message, sent as one binary frame.
    Frame(Vec<u8>),
    /// Send an `error` message with this text, then close.
    Fatal(String),
}

/// A cheap handle to one live connection.
#[derive(Debug, Clone)]
pub struct ConnRef {
    /// Unique per socket, so a stale socket of a rejoined peer is told apart.
    pub conn_id: u64,
    tx: mpsc::Sender<Outbound>,
    close: CancellationToken,
}

impl ConnRef {
    pub fn new(conn_id: u64, tx: mpsc::Sender<Outbound>, close: CancellationToken) -> Self {
        Self { conn_id, tx, close }
    }

    /// Queues `item` without waiting. A peer whose queue is full is not
    /// reading: the connection is closed, and the peer resyncs from scratch
    /// when it rejoins.
    pub fn send(&self, item: Outbound) {
        match self.tx.try_send(item) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                debug!(conn = self.conn_id, "peer queue full; closing connection");
                self.close.cancel();
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    pub fn close(&self) {
        self.close.cancel();
    }
}
