//! Taking in what other processes wrote to this device's store (the `linli`
//! CLI editing while an app's sync loop runs), touching only the documents
//! they changed: a street admin's device holds thousands.
//!
//! Two numbers say what is new. The store's `data_version` moves only when
//! *another* connection commits, so a quiet store costs one pragma. Its
//! change cursor ([`Store::changed_since`]) names the documents whose
//! chunks changed, this process's own writes included; after each of its
//! own writes, when nobody else wrote meanwhile, this process moves its
//! cursor past them, so what is left to take in is the others'.

use linli_protocol::DocumentId;
use linli_store::{ChangeCursor, Store};

use super::{DeviceStore, Load, lock};
use crate::ClientError;
use crate::events::DocEventKind;

/// How far this process has taken in other processes' writes.
pub(super) struct Outside {
    /// The store's `data_version` as of the last look.
    version: i64,
    /// Every chunk change up to here is in memory (or was never opened).
    cursor: ChangeCursor,
}

impl Outside {
    /// Starts from the store as it is now: whatever is opened later is
    /// loaded with everything stored so far.
    pub(super) fn start(store: &Store) -> Result<Self, ClientError> {
        Ok(Self {
            version: store.data_version()?,
            cursor: store.changed_since(ChangeCursor::START)?.cursor,
        })
    }
}

impl DeviceStore {
    /// Called with the store held, right after this process changed chunks:
    /// if no other process wrote since the last look, nothing before our
    /// own change needs taking in, so the cursor skips it.
    pub(super) fn after_own_write(&self, store: &Store) {
        let mut outside = lock(&self.outside);
        let moved = store.data_version().and_then(|version| {
            if version != outside.version {
                return Ok(None);
            }
            store.changed_since(outside.cursor).map(|c| Some(c.cursor))
        });
        match moved {
            Ok(Some(cursor)) => outside.cursor = cursor,
            Ok(None) => {}
            // The next look takes in our own write too: harmless.
            Err(e) => tracing::debug!(error = %e, "cannot move the change cursor"),
        }
    }

    /// Documents another process changed or created since the last call.
    /// Open ones get the stored changes merged in (and a
    /// [`DocEventKind::Local`] event when that changed them); every one
    /// returned should be offered to the relay. Cheap when nobody else
    /// wrote (one SQLite pragma).
    pub(crate) fn take_outside_writes(&self) -> Result<Vec<DocumentId>, ClientError> {
        let changed = {
            // Store, then cursor: the order `after_own_write` takes them in.
            let store = lock(&self.store);
            let mut outside = lock(&self.outside);
            let version = store.data_version()?;
            if version == outside.version {
                return Ok(Vec::new());
            }
            let changed = store.changed_since(outside.cursor)?;
            outside.version = version;
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
