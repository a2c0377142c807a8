//! Taking in what other processes wrote to this device's store (the `linli`
//! CLI editing while an app's sync loop runs).

use linli_protocol::DocumentId;
use linli_store::{ChangeCursor, Store};

use super::{DeviceStore, Load, lock};
use crate::ClientError;
use crate::events::DocEventKind;

/// How far this process has taken in other processes' writes.
pub(super) struct Outside {
    /// The store's `data_version` as of the last look: the cheap "did any
    /// other connection commit?" check.
    version: i64,
    /// Where the store's document changes were read up to: which documents
    /// changed since, so only those are reloaded.
    cursor: ChangeCursor,
}

impl Outside {
    pub(super) fn start(store: &Store) -> Result<Self, ClientError> {
        Ok(Self {
            version: store.data_version()?,
            cursor: store.changed_since(ChangeCursor::START)?.cursor,
        })
    }
}

impl DeviceStore {
    /// Documents another process changed or created since the last call.
    /// Open ones get the stored changes merged in (and a
    /// [`DocEventKind::Local`] event when that changed them); every one
    /// returned should be offered to the relay. Cheap when nobody else
    /// wrote (one SQLite pragma); otherwise only the documents whose chunks
    /// changed since the last look are reloaded (this process's own writes
    /// among them merge as no-ops), not every stored one.
    pub(crate) fn take_outside_writes(&self) -> Result<Vec<DocumentId>, ClientError> {
        let changed = {
            let mut outside = lock(&self.outside);
            let version = self.with_store(|s| s.data_version())?;
            if version == outside.version {
                return Ok(Vec::new());
            }
            outside.version = version;
            let changed = self.with_store(|s| s.changed_since(outside.cursor))?;
            outside.cursor = changed.cursor;
            changed.docs
        };
        let mut touched = Vec::new();
        for doc in changed {
            match self.merge_stored(doc) {
                Ok(Some(false)) => {}
                Ok(Some(true)) | Ok(None) => touched.push(doc),
                Err(e) => {
                    tracing::error!(%doc, error = %e, "cannot take in what another process stored");
                }
            }
        }
        Ok(touched)
    }

    /// Merges what is stored for `doc` into its open copy: `Some(changed)`,
    /// or `None` when it is not open (the session opens it when offering).
    fn merge_stored(&self, doc: DocumentId) -> Result<Option<bool>, ClientError> {
        let merged = self.with_doc(doc, Load::IfOpen, |open| {
            let Some(mut stored) = self.load(doc)? else {
                return Ok(None);
            };
            let am = open.sync.doc_mut();
            let before = am.get_heads();
            if let Err(e) = am.merge(&mut stored) {
                tracing::error!(%doc, error = %e, "cannot merge what another process stored");
                return Ok(None);
            }
            let after = am.get_heads();
            Ok((after != before).then_some(after))
        })?;
        match merged {
            None => Ok(None),
            Some(None) => Ok(Some(false)),
            Some(Some(heads)) => {
                self.emit(doc, DocEventKind::Local, heads);
                Ok(Some(true))
            }
        }
    }
}
