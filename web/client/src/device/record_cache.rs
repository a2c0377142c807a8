//! Each document read as its record once per version. Every screen asks
//! for the buildings, boards and the directory again whenever anything
//! changed; reading a 60-household building out of automerge takes tens of
//! milliseconds on a phone, so a document is read again only when its
//! heads moved.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use automerge::{Automerge, ChangeHash};
use linli_protocol::DocumentId;
use linli_records::DocKind;
use linli_records::building::Building;
use linli_records::conflicts::list_conflicts;
use linli_records::directory::Directory;
use linli_records::task_board::TaskBoard;
use linli_records::team::Team;

/// A document as a record, when it is one linli knows and it reads.
#[derive(Debug, Clone)]
pub(crate) enum Record {
    Directory(Rc<Directory>),
    Building(Rc<Building>),
    Board(Rc<TaskBoard>),
    Team(Rc<Team>),
    /// Empty, not a linli record, or not readable as one.
    Nothing,
}

#[derive(Debug)]
struct Entry {
    heads: Vec<ChangeHash>,
    record: Record,
    conflicts: Option<usize>,
}

#[derive(Debug, Default)]
pub(crate) struct RecordCache {
    entries: RefCell<BTreeMap<DocumentId, Entry>>,
}

impl RecordCache {
    /// `doc`'s record at its current heads.
    pub(crate) fn record(&self, id: DocumentId, doc: &Automerge) -> Record {
        self.with_entry(id, doc, |e| e.record.clone())
    }

    /// How many fields of `doc` hold concurrent values, at its current heads.
    pub(crate) fn conflicts(&self, id: DocumentId, doc: &Automerge) -> usize {
        self.with_entry(id, doc, |e| {
            *e.conflicts
                .get_or_insert_with(|| list_conflicts(doc).map(|c| c.len()).unwrap_or(0))
        })
    }

    fn with_entry<T>(&self, id: DocumentId, doc: &Automerge, f: impl FnOnce(&mut Entry) -> T) -> T {
        let heads = doc.get_heads();
        let mut entries = self.entries.borrow_mut();
        // A new entry starts at no heads, which is what an empty document
        // has: nothing to read.
        let entry = entries.entry(id).or_insert_with(|| Entry {
            heads: Vec::new(),
            record: Record::Nothing,
            conflicts: None,
        });
        if entry.heads != heads {
            *entry = Entry {
                record: read(doc),
                heads,
                conflicts: None,
            };
        }
        f(entry)
    }
}

fn read(doc: &Automerge) -> Record {
    match linli_records::detect_kind(doc) {
        Ok(Some(DocKind::Directory)) => Directory::load(doc)
            .map(|d| Record::Directory(Rc::new(d)))
            .unwrap_or(Record::Nothing),
        Ok(Some(DocKind::Building)) => Building::load(doc)
            .map(|b| Record::Building(Rc::new(b)))
            .unwrap_or(Record::Nothing),
        Ok(Some(DocKind::TaskBoard)) => TaskBoard::load(doc)
            .map(|b| Record::Board(Rc::new(b)))
            .unwrap_or(Record::Nothing),
        Ok(Some(DocKind::Team)) => Team::load(doc)
            .map(|t| Record::Team(Rc::new(t)))
            .unwrap_or(Record::Nothing),
        _ => Record::Nothing,
    }
}
