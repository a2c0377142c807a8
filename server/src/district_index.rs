//! A district hub's index: which document belongs to which street, and
//! which district boards go down to which streets.
//!
//! A hub's directory document is a district directory
//! ([`linli_records::district`]). It lists the streets and each street's
//! directory document; each street's directory in turn says what that
//! street shares up (its directory, its boards, its summary, opted-in
//! buildings). The hub indexes both, with the same records code the
//! street relay uses, so hub and street agree on what belongs to a street
//! without any list kept twice. A document is the street's only if its own
//! directory, which only its street-relay token (and the hub's operator)
//! may write, lists it; and a street directory counts only once the
//! district directory names it, so a street relay cannot claim another
//! street's documents.

use std::collections::{BTreeSet, HashMap};

use automerge::Automerge;
use linli_protocol::DocumentId;
use linli_records::district::District;
use tracing::warn;

use crate::access::{DirectoryIndex, DocPlace, SharedUp};

/// What the hub knows from its district directory and the streets'
/// directories it lists.
#[derive(Debug, Clone, Default)]
pub struct HubParts {
    district: Option<District>,
    /// Street directory document → the documents it says go up.
    streets: HashMap<DocumentId, Vec<(DocumentId, SharedUp)>>,
}

impl HubParts {
    /// Reads `doc` as the district directory; `false` if it is not one (a
    /// street relay's directory is not).
    pub fn district_changed(&mut self, doc: &Automerge) -> bool {
        match linli_records::root::detect_kind(doc) {
            Ok(Some(linli_records::root::DocKind::District)) => {}
            _ => return false,
        }
        match District::load(doc) {
            Ok(d) => self.district = Some(d),
            Err(e) => {
                warn!(error = %e, "the district directory does not parse; streets reach nothing until it does");
                self.district = None;
            }
        }
        true
    }

    /// Whether the district directory is known (this relay is a hub).
    pub fn is_hub(&self) -> bool {
        self.district.is_some()
    }

    /// The street directories the district directory lists: street id and
    /// document.
    pub fn street_directories(&self) -> Vec<(String, DocumentId)> {
        let Some(d) = &self.district else {
            return Vec::new();
        };
        d.streets
            .iter()
            .filter_map(|(id, s)| Some((id.clone(), doc_id(s.directory.as_ref()?.as_str())?)))
            .collect()
    }

    /// Whether the district directory lists `id` as a street's directory.
    pub fn lists_street_directory(&self, id: DocumentId) -> bool {
        self.street_directories().iter().any(|(_, d)| *d == id)
    }

    /// Reads `doc` if it is a listed street's directory; returns whether
    /// it was.
    pub fn street_changed(&mut self, id: DocumentId, doc: &Automerge) -> bool {
        if !self.lists_street_directory(id) {
            return false;
        }
        let street = crate::directory_index::build(id, doc);
        let mut docs = Vec::new();
        for shared in street.shared_up() {
            let what = match street.place(shared) {
                Some(DocPlace::Directory) => SharedUp::Directory,
                Some(DocPlace::Board { .. }) => SharedUp::Board,
                Some(DocPlace::Building { .. }) => SharedUp::Building,
                _ => SharedUp::Summary,
            };
            docs.push((*shared, what));
        }
        self.streets.insert(id, docs);
        true
    }

    /// The hub's index: the district directory itself, every listed
    /// street's shared documents, and the boards shared down (which win
    /// over a street's listing of the same board: it is the district's).
    pub fn index(&self, district: DocumentId) -> DirectoryIndex {
        let mut index = DirectoryIndex::new(Some(district));
        // Document → the streets whose directories list it. A document two
        // streets claim is given to neither: one street relay cannot reach
        // another's board by listing it.
        let mut claims: HashMap<DocumentId, Vec<(String, SharedUp)>> = HashMap::new();
        for (street, dir) in self.street_directories() {
            if dir == district {
                // A hub listing itself as a street would be a cycle.
                continue;
            }
            claims
                .entry(dir)
                .or_default()
                .push((street.clone(), SharedUp::Directory));
            for (doc, what) in self.streets.get(&dir).into_iter().flatten() {
                if *doc != district && *doc != dir {
                    claims
                        .entry(*doc)
                        .or_default()
                        .push((street.clone(), *what));
                }
            }
        }
        for (doc, mut by) in claims {
            by.dedup_by(|a, b| a.0 == b.0);
            if let [(street, what)] = by.as_slice() {
                index.put(
                    doc,
                    DocPlace::StreetShared {
                        street: street.clone(),
                        what: *what,
                    },
                );
            } else {
                warn!(doc = %doc, "a document listed by more than one street's directory goes to none of them");
            }
        }
        if let Some(d) = &self.district {
            for shared in d.shared.values() {
                if let Some(doc) = doc_id(shared.doc.as_str())
                    && doc != district
                {
                    index.put(
                        doc,
                        DocPlace::SharedDown {
                            streets: shared.streets.keys().cloned().collect::<BTreeSet<_>>(),
                        },
                    );
                }
            }
        }
        index
    }
}

fn doc_id(url: &str) -> Option<DocumentId> {
    DocumentId::parse_id_or_url(url).ok()
}
