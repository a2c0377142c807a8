//! Documents the relay would not give this device: the ones it answered
//! `doc-unavailable` for in the last full sync. A building head's device
//! wants every document the street's directory lists, but her token may
//! read only her own buildings; without this, `linli status` would call the
//! others "not fetched yet" forever.
//!
//! Kept in the store beside the wanted list, so another process (`linli
//! status` after `linli sync`) sees it.

use linli_protocol::DocumentId;

use crate::{Client, ClientError, meta_keys};

impl Client {
    /// Remembers `docs` as the documents the relay does not share with this
    /// device (the `unavailable` of a full sync's report), replacing the
    /// previous list. Writes nothing when the list is unchanged.
    pub fn set_unshared(&self, docs: &[DocumentId]) -> Result<(), ClientError> {
        let mut docs = docs.to_vec();
        docs.sort();
        docs.dedup();
        if self.unshared()? == docs {
            return Ok(());
        }
        let text: String = docs.iter().map(|d| format!("{d}\n")).collect();
        self.inner
            .store
            .meta_set(meta_keys::UNSHARED, text.as_bytes())?;
        Ok(())
    }

    /// The documents the relay answered `doc-unavailable` for in the last
    /// full sync, in id order: not on the relay, or not shared with this
    /// device's token.
    pub fn unshared(&self) -> Result<Vec<DocumentId>, ClientError> {
        let Some(bytes) = self.inner.store.meta_get(meta_keys::UNSHARED)? else {
            return Ok(Vec::new());
        };
        let text = String::from_utf8_lossy(&bytes);
        let mut out = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            match line.trim().parse::<DocumentId>() {
                Ok(id) => out.push(id),
                Err(e) => {
                    tracing::warn!(error = %e, "ignoring a damaged entry in the unshared list")
                }
            }
        }
        Ok(out)
    }
}
