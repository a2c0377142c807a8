//! The street as a token may read it, from the relay's storage, with each
//! document's records kept until a change to that document is stored.

use std::collections::HashMap;
use std::sync::Arc;

use automerge::Automerge;
use linli_protocol::DocumentId;
use linli_records::ShapeError;
use linli_records::building::Building;
use linli_records::directory::Directory;
use linli_records::ids::{BuildingId, DocUrl};
use linli_records::task_board::TaskBoard;
use linli_records::team::Team;
use linli_store::{ChangeCursor, DocumentStore};
use tokio::sync::Mutex;
use tracing::warn;

use super::OfficeError;
use crate::access::{DirectoryIndex, decide};
use crate::auth::Grant;
use crate::storage::Storage;

/// One document's records, as last read.
#[derive(Clone)]
enum Record {
    Directory(Arc<Directory>),
    Building(Arc<Building>),
    Team(Arc<Team>),
    Board(Arc<TaskBoard>),
    /// Missing, or not of the shape its directory entry says: left out.
    Unreadable,
}

/// What kind of record a document is expected to hold.
#[derive(Clone, Copy)]
enum Kind {
    Directory,
    Building,
    Team,
    Board,
}

/// The records of the street's documents, shared by every office request.
#[derive(Clone, Default)]
pub struct OfficeCache {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    /// Every document changed since this point is re-read.
    cursor: ChangeCursor,
    records: HashMap<DocumentId, Record>,
}

/// Which of the street's documents an answer needs: reading a building
/// document is most of the work (a street's households are in them), so
/// figures and tasks, which need only boards and teams, never wait on it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Want {
    pub buildings: bool,
    pub teams: bool,
    pub boards: bool,
}

impl Want {
    /// The directory alone.
    pub const DIRECTORY: Want = Want {
        buildings: false,
        teams: false,
        boards: false,
    };
    /// Boards and teams: figures and tasks.
    pub const WORK: Want = Want {
        buildings: false,
        teams: true,
        boards: true,
    };
    /// Buildings: key groups and households.
    pub const BUILDINGS: Want = Want {
        buildings: true,
        teams: false,
        boards: false,
    };
}

/// The street as one token may read it (the kinds asked for; the others
/// are left empty).
#[derive(Debug, Clone)]
pub struct Street {
    pub directory: Arc<Directory>,
    /// Readable buildings that have a document, by id order.
    pub buildings: Vec<(BuildingId, Arc<Building>)>,
    pub teams: Vec<Arc<Team>>,
    pub boards: Vec<Arc<TaskBoard>>,
}

impl Street {
    /// The boards as the records code takes them.
    pub fn board_values(&self) -> Vec<TaskBoard> {
        self.boards.iter().map(|b| (**b).clone()).collect()
    }

    /// The teams as the records code takes them.
    pub fn team_values(&self) -> Vec<Team> {
        self.teams.iter().map(|t| (**t).clone()).collect()
    }
}

impl OfficeCache {
    /// The street as `grant` may read it: the directory, and the building,
    /// team and board documents it lists that `grant` may read.
    pub async fn street(
        &self,
        storage: &Storage,
        directory: Option<DocumentId>,
        index: &DirectoryIndex,
        grant: &Grant,
        want: Want,
    ) -> Result<Street, OfficeError> {
        let directory_doc = directory.ok_or(OfficeError::NoDirectory)?;
        let mut inner = self.inner.lock().await;
        let changed = storage
            .changed_since(inner.cursor)
            .await
            .map_err(crate::storage::StorageError::Store)?;
        for doc in &changed.docs {
            inner.records.remove(doc);
        }
        inner.cursor = changed.cursor;
        inner
            .ensure(storage, &[(directory_doc, Kind::Directory)])
            .await?;
        let Some(Record::Directory(dir)) = inner.records.get(&directory_doc).cloned() else {
            return Err(OfficeError::NoDirectory);
        };
        let readable = |url: &DocUrl| {
            DocumentId::parse_id_or_url(url.as_str())
                .ok()
                .filter(|id| decide(grant, id, index).is_some())
        };
        let buildings: Vec<(BuildingId, DocumentId)> = dir
            .buildings
            .iter()
            .filter(|_| want.buildings)
            .filter_map(|(id, b)| Some((id.clone(), readable(b.doc.as_ref()?)?)))
            .collect();
        let teams: Vec<DocumentId> = dir
            .teams
            .values()
            .filter(|_| want.teams)
            .filter_map(|t| readable(t.doc.as_ref()?))
            .collect();
        let boards: Vec<DocumentId> = dir
            .boards
            .values()
            .filter(|_| want.boards)
            .filter_map(|b| readable(b.doc.as_ref()?))
            .collect();
        let wanted: Vec<(DocumentId, Kind)> = buildings
            .iter()
            .map(|(_, d)| (*d, Kind::Building))
            .chain(teams.iter().map(|d| (*d, Kind::Team)))
            .chain(boards.iter().map(|d| (*d, Kind::Board)))
            .collect();
        inner.ensure(storage, &wanted).await?;
        let get = |d: &DocumentId| inner.records.get(d);
        Ok(Street {
            directory: dir.clone(),
            buildings: buildings
                .iter()
                .filter_map(|(id, d)| match get(d) {
                    Some(Record::Building(b)) => Some((id.clone(), b.clone())),
                    _ => None,
                })
                .collect(),
            teams: teams
                .iter()
                .filter_map(|d| match get(d) {
                    Some(Record::Team(t)) => Some(t.clone()),
                    _ => None,
                })
                .collect(),
            boards: boards
                .iter()
                .filter_map(|d| match get(d) {
                    Some(Record::Board(b)) => Some(b.clone()),
                    _ => None,
                })
                .collect(),
        })
    }
}

impl Inner {
    /// Reads the records of every `wanted` document not already held.
    /// Chunks are read in one storage call; rebuilding and reading the
    /// documents is CPU work, done on a blocking thread off the store lock.
    async fn ensure(
        &mut self,
        storage: &Storage,
        wanted: &[(DocumentId, Kind)],
    ) -> Result<(), OfficeError> {
        let missing: Vec<(DocumentId, Kind)> = wanted
            .iter()
            .filter(|(d, _)| !self.records.contains_key(d))
            .copied()
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let ids: Vec<DocumentId> = missing.iter().map(|(d, _)| *d).collect();
        let chunks = storage.load_all(ids).await?;
        // Spread over the cores: a street's buildings take seconds on one.
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let per = missing.len().div_ceil(cores).max(1);
        let mut jobs = Vec::new();
        let mut chunks = chunks.into_iter();
        for part in missing.chunks(per) {
            let part: Vec<(DocumentId, Kind)> = part.to_vec();
            let stored: Vec<_> = chunks.by_ref().take(part.len()).collect();
            jobs.push(tokio::task::spawn_blocking(move || {
                part.into_iter()
                    .zip(stored)
                    .map(|((doc, kind), chunks)| (doc, read_stored(doc, kind, &chunks)))
                    .collect::<Vec<_>>()
            }));
        }
        for job in jobs {
            let read = job
                .await
                .map_err(|e| crate::storage::StorageError::Task(e.to_string()))?;
            self.records.extend(read);
        }
        Ok(())
    }
}

fn read_stored(doc: DocumentId, kind: Kind, chunks: &[linli_store::Chunk]) -> Record {
    match linli_store::rebuild(&doc, chunks) {
        Ok(Some(am)) => read_record(doc, kind, &am),
        Ok(None) => Record::Unreadable,
        Err(e) => {
            warn!(doc = %doc, error = %e, "office: stored document does not load");
            Record::Unreadable
        }
    }
}

fn read_record(doc: DocumentId, kind: Kind, am: &Automerge) -> Record {
    fn or_log<T>(doc: DocumentId, r: Result<T, ShapeError>, wrap: fn(Arc<T>) -> Record) -> Record {
        match r {
            Ok(v) => wrap(Arc::new(v)),
            Err(e) => {
                warn!(doc = %doc, error = %e, "office: document is not of its listed kind; left out");
                Record::Unreadable
            }
        }
    }
    match kind {
        Kind::Directory => or_log(doc, Directory::load(am), Record::Directory),
        Kind::Building => or_log(doc, Building::load(am), Record::Building),
        Kind::Team => or_log(doc, Team::load(am), Record::Team),
        Kind::Board => or_log(doc, TaskBoard::load(am), Record::Board),
    }
}
