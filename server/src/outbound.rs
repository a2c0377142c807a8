//! What the relay sends to one connection, and the handle others use to
//! send it without ever waiting on that peer.

use linli_protocol::CloseReason;
use tokio::sync::mpsc;
use tracing::debug;

use crate::closer::Closer;

/// One item for a connection's writer.
#[derive(Debug)]
pub enum Outbound {
    /// An encoded protocol message, sent as one binary frame.
    Frame(Vec<u8>),
    /// Send an `error` message with this text, then close with this reason.
    Fatal(String, CloseReason),
    /// On a connection this relay dialed (its upstream hub): start syncing
    /// this document with the other end, unasked (`true`: from scratch).
    Offer(linli_protocol::DocumentId, bool),
}

/// A cheap handle to one live connection.
#[derive(Debug, Clone)]
pub struct ConnRef {
    /// Unique per socket, so a stale socket of a rejoined peer is told apart.
    pub conn_id: u64,
    tx: mpsc::Sender<Outbound>,
    close: Closer,
}

impl ConnRef {
    pub fn new(conn_id: u64, tx: mpsc::Sender<Outbound>, close: Closer) -> Self {
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
                self.close.close(CloseReason::TooManyMessages);
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    pub fn close(&self, why: CloseReason) {
        self.close.close(why);
    }
}
