//! Glue between the client and `linli_records`: which directory this
//! device works with, who its user is, and loading the street's typed
//! documents (directory, buildings, teams, boards) that are on this device.
//!
//! A device remembers one directory (the street's root document) and,
//! optionally, the person id of its user (a volunteer id for volunteers);
//! both live in the store's metadata, beside the relay URL (see
//! `client/settings.rs`).

mod district;

use std::str::FromStr;

use automerge::ActorId;
use linli_protocol::DocumentId;
use linli_records::ShapeError;
use linli_records::building::Building;
use linli_records::directory::Directory;
use linli_records::ids::{BoardId, BuildingId, DocUrl, TeamId};
use linli_records::task_board::TaskBoard;
use linli_records::team::Team;

use crate::{Client, ClientError};

pub use district::DistrictHub;

/// Why the street's records could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordsError {
    /// A client call failed.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// No directory is remembered on this device.
    #[error(
        "this device has no street directory; run `linli street init NAME` (street admin) \
         or `linli street use URL`"
    )]
    NoDirectory,
    /// No district directory is remembered on this device.
    #[error(
        "this device has no district directory; run `linli district init NAME` (district \
         admin) or `linli district use URL`"
    )]
    NoDistrict,
    /// A document is not of the shape linli expects.
    #[error("document {doc} is not a valid {what} document: {source}")]
    Shape {
        doc: DocumentId,
        what: &'static str,
        #[source]
        source: Box<ShapeError>,
    },
    /// A document URL in the directory cannot be parsed.
    #[error("the directory holds an invalid document URL {url:?}")]
    BadUrl { url: String },
}

/// A registered document of the street and its loaded contents.
#[derive(Debug, Clone)]
pub struct Loaded<I, T> {
    /// Its id in the directory.
    pub id: I,
    /// Its automerge document.
    pub doc: DocumentId,
    /// Its contents.
    pub value: T,
}

/// The street as this device holds it.
#[derive(Debug, Clone)]
pub struct Street {
    /// The directory document.
    pub doc: DocumentId,
    /// Its contents.
    pub directory: Directory,
}

/// The document id of a directory's `doc` URL.
pub fn doc_id(url: &DocUrl) -> Result<DocumentId, RecordsError> {
    DocumentId::parse_id_or_url(url.as_str()).map_err(|_| RecordsError::BadUrl {
        url: url.as_str().to_owned(),
    })
}

impl Street {
    /// Every document the directory references.
    pub fn documents(&self) -> Result<Vec<DocumentId>, RecordsError> {
        let d = &self.directory;
        d.buildings
            .values()
            .filter_map(|b| b.doc.as_ref())
            .chain(d.teams.values().filter_map(|t| t.doc.as_ref()))
            .chain(d.boards.values().filter_map(|b| b.doc.as_ref()))
            .map(doc_id)
            .collect()
    }
}

impl Client {
    /// Whether the automerge actor (hex) is one of this device's.
    pub fn is_own_actor(&self, actor_hex: &str) -> bool {
        ActorId::from_str(actor_hex).is_ok_and(|a| self.inner.store.identity().is_ours(&a))
    }

    /// The street directory, loaded.
    pub fn street(&self) -> Result<Street, RecordsError> {
        let doc = self.directory_id()?.ok_or(RecordsError::NoDirectory)?;
        let directory = self.read_shaped(doc, "directory", Directory::load)?;
        Ok(Street { doc, directory })
    }

    /// Asks for every document the directory references that is not on
    /// this device, so the next sync fetches it. Returns how many were
    /// newly asked for (none when they all were already: then nothing is
    /// written).
    pub fn want_street_documents(&self, street: &Street) -> Result<usize, RecordsError> {
        Ok(self.want_all(&street.documents()?)?)
    }

    /// Every registered building whose document is on this device.
    pub fn buildings(
        &self,
        street: &Street,
    ) -> Result<Vec<Loaded<BuildingId, Building>>, RecordsError> {
        let entries = street
            .directory
            .buildings
            .iter()
            .filter_map(|(id, b)| b.doc.as_ref().map(|d| (id.clone(), d)));
        self.load_all(entries, "building", Building::load)
    }

    /// Every registered team whose document is on this device.
    pub fn teams(&self, street: &Street) -> Result<Vec<Loaded<TeamId, Team>>, RecordsError> {
        let entries = street
            .directory
            .teams
            .iter()
            .filter_map(|(id, t)| t.doc.as_ref().map(|d| (id.clone(), d)));
        self.load_all(entries, "team", Team::load)
    }

    /// Every registered task board whose document is on this device.
    pub fn boards(&self, street: &Street) -> Result<Vec<Loaded<BoardId, TaskBoard>>, RecordsError> {
        let entries = street
            .directory
            .boards
            .iter()
            .filter_map(|(id, b)| b.doc.as_ref().map(|d| (id.clone(), d)));
        self.load_all(entries, "task board", TaskBoard::load)
    }

    fn load_all<'a, I, T>(
        &self,
        entries: impl Iterator<Item = (I, &'a DocUrl)>,
        what: &'static str,
        load: impl Fn(&automerge::Automerge) -> Result<T, ShapeError>,
    ) -> Result<Vec<Loaded<I, T>>, RecordsError> {
        let mut out = Vec::new();
        for (id, url) in entries {
            let doc = doc_id(url)?;
            if !self.contains(doc)? {
                continue;
            }
            let value = self.read_shaped(doc, what, &load)?;
            out.push(Loaded { id, doc, value });
        }
        Ok(out)
    }

    /// Reads document `doc` as a `what` with `load`; a document of the
    /// wrong shape is a [`RecordsError::Shape`] naming it.
    pub(crate) fn read_shaped<T>(
        &self,
        doc: DocumentId,
        what: &'static str,
        load: impl FnOnce(&automerge::Automerge) -> Result<T, ShapeError>,
    ) -> Result<T, RecordsError> {
        self.read(doc, load)?.map_err(|source| RecordsError::Shape {
            doc,
            what,
            source: Box::new(source),
        })
    }
}
