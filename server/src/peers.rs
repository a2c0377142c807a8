//! The registry of live connections, by peer id: which connection holds a
//! peer id, made with which token, and how to close it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use linli_protocol::{CloseReason, PeerId};

use crate::closer::Closer;

/// A live connection bound to a peer id.
struct Bound {
    conn_id: u64,
    token: String,
    close: Closer,
}

/// A cheap handle (an `Arc`) to the relay's live connections.
#[derive(Clone, Default)]
pub struct PeerRegistry {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    peers: Mutex<HashMap<PeerId, Bound>>,
    next_conn: AtomicU64,
    /// Token name → when a connection of it last opened or closed, since
    /// the relay started (ms since the epoch).
    seen: Mutex<HashMap<String, i64>>,
}

impl PeerRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    fn peers(&self) -> MutexGuard<'_, HashMap<PeerId, Bound>> {
        // Nothing here can be left half-updated by a panic: every critical
        // section is a single map operation.
        self.inner.peers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Binds `peer` to a new connection made with `token`, closing any older
    /// connection of the same peer id and token (a device reconnecting).
    /// A peer id held by a connection of *another* token is refused: nobody
    /// can push a device off the relay by claiming its id.
    pub fn bind(&self, peer: &PeerId, token: &str) -> Option<(u64, Closer)> {
        let mut peers = self.peers();
        if peers.get(peer).is_some_and(|b| b.token != token) {
            return None;
        }
        // Connection ids start at 1 and are never reused.
        let conn_id = self.inner.next_conn.fetch_add(1, Ordering::Relaxed) + 1;
        let close = Closer::new();
        let bound = Bound {
            conn_id,
            token: token.to_owned(),
            close: close.clone(),
        };
        if let Some(old) = peers.insert(peer.clone(), bound) {
            old.close.close(CloseReason::Replaced);
        }
        Some((conn_id, close))
    }

    /// Forgets `peer` if it is still bound to `conn_id`.
    pub fn unbind(&self, peer: &PeerId, conn_id: u64) {
        let mut peers = self.peers();
        if peers.get(peer).is_some_and(|b| b.conn_id == conn_id) {
            peers.remove(peer);
        }
    }

    /// Closes every connection made with the named token, saying `why`.
    pub fn close_token(&self, token: &str, why: CloseReason) -> usize {
        let peers = self.peers();
        let mut n = 0;
        for b in peers.values().filter(|b| b.token == token) {
            b.close.close(why);
            n += 1;
        }
        n
    }

    /// Live connections made with the named token.
    pub fn connections_of(&self, token: &str) -> usize {
        self.peers().values().filter(|b| b.token == token).count()
    }

    /// Number of live connections.
    pub fn count(&self) -> usize {
        self.peers().len()
    }

    /// Notes that a connection of the named token opened or closed at `at`.
    pub fn seen(&self, token: &str, at: i64) {
        let mut seen = self.inner.seen.lock().unwrap_or_else(|p| p.into_inner());
        let last = seen.entry(token.to_owned()).or_insert(at);
        *last = (*last).max(at);
    }

    /// Live connections per token name, and when each token was last seen
    /// (a connection opening or closing) since the relay started.
    pub fn activity(&self) -> (HashMap<String, usize>, HashMap<String, i64>) {
        let mut live: HashMap<String, usize> = HashMap::new();
        for b in self.peers().values() {
            *live.entry(b.token.clone()).or_default() += 1;
        }
        let seen = self.inner.seen.lock().unwrap_or_else(|p| p.into_inner());
        (live, seen.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reconnecting_device_closes_its_old_connection() {
        let peers = PeerRegistry::new();
        let phone = PeerId::new("phone");
        let (old_id, old) = peers.bind(&phone, "wang").unwrap();
        let (new_id, new) = peers.bind(&phone, "wang").unwrap();
        assert_ne!(old_id, new_id);
        assert!(old.is_cancelled());
        assert!(!new.is_cancelled());
        peers.unbind(&phone, old_id);
        assert_eq!(peers.count(), 1, "the old socket leaving keeps the new one");
    }

    #[test]
    fn another_token_cannot_take_a_peer_id() {
        let peers = PeerRegistry::new();
        let phone = PeerId::new("phone");
        let (_, close) = peers.bind(&phone, "wang").unwrap();
        assert!(peers.bind(&phone, "li").is_none());
        assert!(!close.is_cancelled());
        assert_eq!(peers.close_token("wang", CloseReason::Revoked), 1);
        assert!(close.is_cancelled());
    }
}
