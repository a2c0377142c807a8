//! The client's mutable state behind one mutex: the store and the documents
//! loaded from it.
//!
//! One lock for both keeps the durability rule simple: whoever changes a
//! document in memory writes it to SQLite and produces outgoing messages
//! while still holding the lock, so nothing can send heads that are not yet
//! stored. Nothing holds this lock across an `.await`.

use std::collections::HashMap;

use automerge::{ActorId, Automerge, ChangeHash};
use linli_protocol::{DocSync, DocumentId, PeerId};
use linli_store::Store;

use crate::{ClientError, heads};

/// doc meta key: the heads the relay last confirmed holding.
pub(crate) const RELAY_HEADS_KEY: &str = "relay_heads";
/// Per-document meta: present when the relay said this device may only read.
pub(crate) const READ_ONLY_KEY: &str = "read_only";
/// store meta key: the relay URL.
pub(crate) const RELAY_URL_KEY: &str = "relay_url";
/// store meta key: documents asked for but not received, one id per line.
pub(crate) const WANTED_KEY: &str = "wanted";

/// A document in memory.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub sync: DocSync,
    /// The relay heads as last persisted under [`RELAY_HEADS_KEY`].
    pub confirmed: Vec<ChangeHash>,
}

pub(crate) struct State {
    pub store: Store,
    pub docs: HashMap<DocumentId, Loaded>,
    pub peer_id: PeerId,
    pub actor: ActorId,
    /// Who is editing (a person id), recorded as each change's message.
    pub author: Option<String>,
    /// The store's `data_version` when this client last took in what other
    /// processes wrote to it.
    pub outside_version: i64,
}

impl State {
    /// The document, loaded from the store if needed; `None` when it is
    /// neither in memory nor stored.
    pub(crate) fn loaded(&mut self, doc: DocumentId) -> Result<Option<&mut Loaded>, ClientError> {
        if !self.docs.contains_key(&doc) {
            let Some(am) = self.store.load(&doc)? else {
                return Ok(None);
            };
            let loaded = self.make_loaded(doc, am)?;
            self.docs.insert(doc, loaded);
        }
        Ok(self.docs.get_mut(&doc))
    }

    /// The document, loaded from the store or started empty (to be fetched).
    pub(crate) fn loaded_or_empty(&mut self, doc: DocumentId) -> Result<&mut Loaded, ClientError> {
        if !self.docs.contains_key(&doc) {
            let am = self.store.load(&doc)?.unwrap_or_default();
            let loaded = self.make_loaded(doc, am)?;
            self.docs.insert(doc, loaded);
        }
        self.docs
            .get_mut(&doc)
            .ok_or_else(|| ClientError::Task("document vanished from memory".to_owned()))
    }

    /// Puts a freshly created document in memory.
    pub(crate) fn insert(&mut self, doc: DocumentId, am: Automerge) -> Result<(), ClientError> {
        let loaded = self.make_loaded(doc, am)?;
        self.docs.insert(doc, loaded);
        Ok(())
    }

    fn make_loaded(&self, doc: DocumentId, mut am: Automerge) -> Result<Loaded, ClientError> {
        am.set_actor(self.actor.clone());
        Ok(Loaded {
            sync: DocSync::new(doc, self.peer_id.clone(), am).requesting(),
            confirmed: stored_relay_heads(&self.store, &doc)?,
        })
    }

    /// Documents asked for with `want` and not received yet.
    pub(crate) fn wanted(&self) -> Result<Vec<DocumentId>, ClientError> {
        let Some(bytes) = self.store.meta_get(WANTED_KEY)? else {
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

    pub(crate) fn set_wanted(&mut self, wanted: &[DocumentId]) -> Result<(), ClientError> {
        let text: String = wanted.iter().map(|d| format!("{d}\n")).collect();
        self.store.meta_set(WANTED_KEY, text.as_bytes())?;
        Ok(())
    }

    /// Drops `doc` from the wanted list (it arrived).
    pub(crate) fn unwant(&mut self, doc: &DocumentId) -> Result<(), ClientError> {
        let mut wanted = self.wanted()?;
        let before = wanted.len();
        wanted.retain(|d| d != doc);
        if wanted.len() != before {
            self.set_wanted(&wanted)?;
        }
        Ok(())
    }
}

/// The relay heads stored for `doc` (empty when none or damaged).
pub(crate) fn stored_relay_heads(
    store: &Store,
    doc: &DocumentId,
) -> Result<Vec<ChangeHash>, ClientError> {
    Ok(match store.doc_meta_get(doc, RELAY_HEADS_KEY)? {
        None => Vec::new(),
        Some(bytes) => heads::decode(&bytes).unwrap_or_else(|| {
            tracing::warn!(%doc, "stored relay heads are damaged; counting all changes as pending");
            Vec::new()
        }),
    })
}
