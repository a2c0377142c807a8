//! Peer ids: the free-form names peers give themselves in `join`.

use std::fmt;

use rand_core::RngCore;

/// A peer's self-chosen id (`peer-…` in JavaScript, `peer-<u64>` in samod).
///
/// Peer ids are not authenticated by the protocol; the relay binds one to a
/// socket at `join` time.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerId(String);

impl PeerId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// A fresh random peer id with the given prefix, e.g. `linli-<hex>`,
    /// drawn from the caller's RNG (the core reads no entropy itself).
    pub fn random(prefix: &str, rng: &mut (impl RngCore + ?Sized)) -> Self {
        let hex: String = rng
            .next_u64()
            .to_be_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Self(format!("{prefix}-{hex}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PeerId({:?})", self.0)
    }
}

impl From<&str> for PeerId {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}
