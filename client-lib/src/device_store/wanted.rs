//! The wanted list: documents asked for by id (`Client::want`) that have
//! not arrived. It lives in the store, so whichever process syncs next
//! fetches them.

use linli_protocol::DocumentId;
use linli_store::{Store, StoreError};

use super::DeviceStore;
use crate::{ClientError, meta_keys};

impl DeviceStore {
    /// Documents asked for and not received yet (some may have arrived
    /// meanwhile: check the store).
    pub(crate) fn wanted(&self) -> Result<Vec<DocumentId>, ClientError> {
        self.with_store(|s| read(s))
    }

    /// Adds `doc` to the wanted list; `false` when it was there already.
    pub(crate) fn add_wanted(&self, doc: DocumentId) -> Result<bool, ClientError> {
        self.with_store(|s| {
            let mut wanted = read(s)?;
            if wanted.contains(&doc) {
                return Ok(false);
            }
            wanted.push(doc);
            write(s, &wanted)?;
            Ok(true)
        })
    }

    /// Adds those of `docs` that are neither wanted already nor stored,
    /// reading the list once and writing it once, only when it changes.
    /// Returns the newly wanted ones.
    pub(crate) fn add_wanted_all(
        &self,
        docs: &[DocumentId],
    ) -> Result<Vec<DocumentId>, ClientError> {
        self.with_store(|s| {
            let mut wanted = read(s)?;
            let mut added = Vec::new();
            for doc in docs {
                if wanted.contains(doc) || added.contains(doc) || s.contains(doc)? {
                    continue;
                }
                added.push(*doc);
            }
            if !added.is_empty() {
                wanted.extend(&added);
                write(s, &wanted)?;
            }
            Ok(added)
        })
    }

    /// Drops `doc` from the wanted list (it arrived, or is no longer
    /// wanted).
    pub(crate) fn unwant(&self, doc: DocumentId) -> Result<(), ClientError> {
        self.with_store(|s| {
            let mut wanted = read(s)?;
            let before = wanted.len();
            wanted.retain(|d| *d != doc);
            if wanted.len() != before {
                write(s, &wanted)?;
            }
            Ok(())
        })
    }
}

fn read(store: &Store) -> Result<Vec<DocumentId>, StoreError> {
    let Some(bytes) = store.meta_get(meta_keys::WANTED)? else {
        return Ok(Vec::new());
    };
    let text = String::from_utf8_lossy(&bytes);
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match line.trim().parse::<DocumentId>() {
            Ok(id) => out.push(id),
            Err(e) => tracing::warn!(error = %e, "ignoring a damaged entry in the wanted list"),
        }
    }
    Ok(out)
}

fn write(store: &mut Store, wanted: &[DocumentId]) -> Result<(), StoreError> {
    let text: String = wanted.iter().map(|d| format!("{d}\n")).collect();
    store.meta_set(meta_keys::WANTED, text.as_bytes())
}
