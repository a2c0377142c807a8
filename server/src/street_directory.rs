//! The street's directory as the relay knows it right now: which document
//! it is, and the index built from that document that decides who may see
//! what.
//!
//! Shared by connections (which read the index for every access decision)
//! and document tasks (the directory's own task republishes the index each
//! time the directory changes). The admin CLI can also point the relay at
//! another document while it runs (the watcher in `watch.rs`).

use std::sync::{Arc, RwLock};

use tokio::sync::watch;

use automerge::Automerge;
use linli_protocol::DocumentId;

use crate::access::DirectoryIndex;
use crate::directory_index;

/// A cheap handle (an `Arc`) to the relay's current directory.
#[derive(Clone)]
pub struct StreetDirectory {
    current: Arc<RwLock<Current>>,
    /// Each index as it is published, for [`crate::rescope`].
    published: Arc<watch::Sender<Arc<DirectoryIndex>>>,
}

struct Current {
    id: Option<DocumentId>,
    index: Arc<DirectoryIndex>,
}

impl StreetDirectory {
    /// The directory `id`, already indexed as `index`.
    pub fn new(id: Option<DocumentId>, index: DirectoryIndex) -> Self {
        let index = Arc::new(index);
        Self {
            published: Arc::new(watch::channel(index.clone()).0),
            current: Arc::new(RwLock::new(Current { id, index })),
        }
    }

    /// Every index from now on, as it replaces the one before.
    pub fn subscribe(&self) -> watch::Receiver<Arc<DirectoryIndex>> {
        self.published.subscribe()
    }

    /// No directory: only the street admin can reach any document.
    pub fn none() -> Self {
        Self::new(None, DirectoryIndex::new(None))
    }

    /// The street's directory document, if the relay knows it.
    pub fn id(&self) -> Option<DocumentId> {
        self.read(|c| c.id)
    }

    /// The current directory index (cheap to clone: an `Arc`).
    pub fn index(&self) -> Arc<DirectoryIndex> {
        self.read(|c| c.index.clone())
    }

    /// Called by document `id`'s task with its content whenever it changes:
    /// if `id` is the directory, its index is rebuilt. Only that one task
    /// calls this for `id`, so indexes of one document are published in
    /// order; the check and the swap share one lock, so an index is never
    /// published for a document that stopped being the directory meanwhile.
    /// Returns whether the index was replaced.
    pub fn document_changed(&self, id: DocumentId, doc: &Automerge) -> bool {
        if self.id() != Some(id) {
            return false;
        }
        // Built outside the lock: connections keep deciding meanwhile.
        let index = Arc::new(directory_index::build(id, doc));
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        if current.id != Some(id) {
            return false;
        }
        current.index = index.clone();
        self.published.send_replace(index);
        true
    }

    /// Makes `id` the directory. Until its content is indexed (see
    /// [`Self::document_changed`]) the index knows only the directory
    /// itself: nobody but the street admin gains access in between.
    pub fn switch_to(&self, id: Option<DocumentId>) {
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        if current.id != id {
            current.id = id;
            current.index = Arc::new(DirectoryIndex::new(id));
            self.published.send_replace(current.index.clone());
        }
    }

    fn read<R>(&self, f: impl FnOnce(&Current) -> R) -> R {
        // Every write replaces whole values, so a poisoned lock still holds
        // a consistent directory.
        f(&self.current.read().unwrap_or_else(|p| p.into_inner()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::DocPlace;

    #[test]
    fn only_the_current_directory_document_changes_the_index() {
        let old = DocumentId::random(&mut rand::rng());
        let new = DocumentId::random(&mut rand::rng());
        let directory = StreetDirectory::new(Some(old), DirectoryIndex::new(Some(old)));
        assert!(directory.document_changed(old, &Automerge::new()));
        directory.switch_to(Some(new));
        assert_eq!(directory.id(), Some(new));
        assert_eq!(directory.index().place(&new), Some(&DocPlace::Directory));
        assert_eq!(
            directory.index().place(&old),
            None,
            "the old one is forgotten"
        );
        assert!(
            !directory.document_changed(old, &Automerge::new()),
            "a late change of the old directory publishes nothing"
        );
    }
}
