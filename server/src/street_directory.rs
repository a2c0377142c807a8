//! The street's directory as the relay knows it right now: which document
//! it is, and the index built from that document that decides who may see
//! what.
//!
//! Shared by connections (which read the index for every access decision)
//! and document tasks (the directory's own task republishes the index each
//! time the directory changes). The admin CLI can also point the relay at
//! another document while it runs (the watcher in `watch.rs`).

use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::watch;

use automerge::Automerge;
use linli_protocol::DocumentId;

use crate::access::DirectoryIndex;
use crate::directory_index;
use crate::district_index::HubParts;

/// `index`, with the upstream hub's district directory shared (street side).
fn with_district(mut index: DirectoryIndex, district: Option<DocumentId>) -> DirectoryIndex {
    if let Some(d) = district {
        index.share_up(d);
    }
    index
}

/// A cheap handle (an `Arc`) to the relay's current directory.
#[derive(Clone)]
pub struct StreetDirectory {
    current: Arc<RwLock<Current>>,
    /// Each index as it is published, for [`crate::rescope`].
    published: Arc<watch::Sender<Arc<DirectoryIndex>>>,
    /// Held across every read-modify-write of the hub's parts: on a hub,
    /// many street directories' tasks index at once, and each builds on
    /// the parts as the last one left them. Without it two streets
    /// indexing together each wrote back what it read, and one street's
    /// documents were forgotten (refused to its relay, for good).
    updating: Arc<Mutex<()>>,
}

struct Current {
    id: Option<DocumentId>,
    index: Arc<DirectoryIndex>,
    /// On a district hub: the district directory and the streets'.
    hub: HubParts,
    /// On a street relay with an upstream link: the hub's district
    /// directory, which the hub may send (it lists what comes down).
    district: Option<DocumentId>,
}

impl StreetDirectory {
    /// The directory `id`, already indexed as `index`.
    pub fn new(id: Option<DocumentId>, index: DirectoryIndex) -> Self {
        let index = Arc::new(index);
        Self {
            published: Arc::new(watch::channel(index.clone()).0),
            updating: Arc::new(Mutex::new(())),
            current: Arc::new(RwLock::new(Current {
                id,
                index,
                hub: HubParts::default(),
                district: None,
            })),
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
        let Some(directory) = self.id() else {
            return false;
        };
        if directory != id {
            return self.street_directory_changed(directory, id, doc);
        }
        let _updating = self.updating.lock().unwrap_or_else(|p| p.into_inner());
        let mut hub = self.read(|c| c.hub.clone());
        let index = if hub.district_changed(doc) {
            hub.index(id)
        } else {
            hub = HubParts::default();
            // Built outside the lock: connections keep deciding meanwhile.
            directory_index::build(id, doc)
        };
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        if current.id != Some(id) {
            return false;
        }
        let index = Arc::new(with_district(index, current.district));
        current.index = index.clone();
        self.published.send_replace(index);
        current.hub = hub;
        true
    }

    /// On a hub: `id` changed; if it is a listed street's directory, the
    /// hub's index is rebuilt.
    fn street_directory_changed(
        &self,
        district: DocumentId,
        id: DocumentId,
        doc: &Automerge,
    ) -> bool {
        if !self.read(|c| c.hub.lists_street_directory(id)) {
            return false;
        }
        let _updating = self.updating.lock().unwrap_or_else(|p| p.into_inner());
        let mut hub = self.read(|c| c.hub.clone());
        if !hub.street_changed(id, doc) {
            return false;
        }
        let index = hub.index(district);
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        if current.id != Some(district) {
            return false;
        }
        let index = Arc::new(index);
        current.index = index.clone();
        self.published.send_replace(index);
        current.hub = hub;
        true
    }

    /// Whether this relay's directory is a district directory (it is a hub).
    pub fn is_hub(&self) -> bool {
        self.read(|c| c.hub.is_hub())
    }

    /// On a hub: the street directories its district directory lists.
    pub fn street_directories(&self) -> Vec<DocumentId> {
        self.read(|c| {
            c.hub
                .street_directories()
                .into_iter()
                .map(|(_, d)| d)
                .collect()
        })
    }

    /// On a street relay: the upstream hub's district directory is `id`;
    /// the hub may send it (see [`crate::upstream`]).
    pub fn set_district(&self, id: DocumentId) {
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        if current.district != Some(id) {
            current.district = Some(id);
            let index = (*current.index).clone();
            current.index = Arc::new(with_district(index, Some(id)));
            self.published.send_replace(current.index.clone());
        }
    }

    /// Makes `id` the directory. Until its content is indexed (see
    /// [`Self::document_changed`]) the index knows only the directory
    /// itself: nobody but the street admin gains access in between.
    pub fn switch_to(&self, id: Option<DocumentId>) {
        let _updating = self.updating.lock().unwrap_or_else(|p| p.into_inner());
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        if current.id != id {
            current.id = id;
            current.index = Arc::new(with_district(DirectoryIndex::new(id), current.district));
            self.published.send_replace(current.index.clone());
            current.hub = HubParts::default();
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
    use automerge::transaction::Transactable;
    use linli_records::district::{self, StreetEntry};
    use linli_records::ids::DocUrl;

    fn made(write: impl FnOnce(&mut automerge::transaction::Transaction<'_>)) -> Automerge {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        write(&mut tx);
        tx.commit();
        doc
    }

    fn url(id: DocumentId) -> DocUrl {
        DocUrl::new(id.url()).unwrap()
    }

    /// Many street directories index at once on a hub (one task each);
    /// every street's summary must end up in the index. Before the
    /// update lock, two streets indexing together each wrote back the
    /// parts they had read, and one street's documents were lost.
    #[test]
    fn streets_indexing_at_once_on_a_hub_lose_none_of_each_others_documents() {
        const STREETS: usize = 16;
        let rng = &mut rand::rng();
        let district_id = DocumentId::random(rng);
        let streets: Vec<(DocumentId, DocumentId)> = (0..STREETS)
            .map(|_| (DocumentId::random(rng), DocumentId::random(rng)))
            .collect();
        let district_doc = made(|tx| {
            district::init(tx, "东湖区").unwrap();
            for (n, (dir, _)) in streets.iter().enumerate() {
                let entry = StreetEntry {
                    name: format!("街道{n}"),
                    directory: Some(url(*dir)),
                };
                district::put_street(tx, &format!("s{n}"), &entry).unwrap();
            }
        });
        let directory =
            StreetDirectory::new(Some(district_id), DirectoryIndex::new(Some(district_id)));
        assert!(directory.document_changed(district_id, &district_doc));
        std::thread::scope(|scope| {
            for (n, (dir, summary)) in streets.iter().enumerate() {
                let directory = directory.clone();
                scope.spawn(move || {
                    let doc = made(|tx| {
                        linli_records::directory::init(tx, &format!("街道{n}")).unwrap();
                        district::set_summary_url(tx, &url(*summary)).unwrap();
                        tx.put(automerge::ROOT, "n", n as i64).unwrap();
                    });
                    for _ in 0..20 {
                        assert!(directory.document_changed(*dir, &doc));
                    }
                });
            }
        });
        let index = directory.index();
        for (n, (_, summary)) in streets.iter().enumerate() {
            assert!(
                index.place(summary).is_some(),
                "street {n}'s summary was forgotten"
            );
        }
    }

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
