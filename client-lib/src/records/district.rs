//! The district hub as a district office's device holds it: the district
//! directory (`linli district init` / `use`), the district boards it shares
//! down, and the streets' directories it lists (shared up to the hub).

use linli_protocol::DocumentId;
use linli_records::directory::Directory;
use linli_records::district::District;
use linli_records::task_board::TaskBoard;

use super::{Loaded, RecordsError, doc_id};
use crate::Client;

/// The district directory on this device.
#[derive(Debug, Clone)]
pub struct DistrictHub {
    /// The district directory document.
    pub doc: DocumentId,
    /// Its contents.
    pub district: District,
}

impl DistrictHub {
    /// Every document the district directory names: the streets'
    /// directories and the boards shared down.
    pub fn documents(&self) -> Result<Vec<DocumentId>, RecordsError> {
        let d = &self.district;
        d.streets
            .values()
            .filter_map(|s| s.directory.as_ref())
            .chain(d.shared.values().map(|s| &s.doc))
            .map(doc_id)
            .collect()
    }
}

impl Client {
    /// The district directory, loaded.
    pub fn district(&self) -> Result<DistrictHub, RecordsError> {
        let doc = self.district_id()?.ok_or(RecordsError::NoDistrict)?;
        let district = self.read_shaped(doc, "district directory", District::load)?;
        Ok(DistrictHub { doc, district })
    }

    /// Asks for every document the district directory names that is not on
    /// this device, so the next sync fetches it. Returns how many were newly
    /// asked for.
    pub fn want_district_documents(&self, hub: &DistrictHub) -> Result<usize, RecordsError> {
        Ok(self.want_all(&hub.documents()?)?)
    }

    /// The boards shared down whose document is on this device, by share id.
    pub fn district_boards(
        &self,
        hub: &DistrictHub,
    ) -> Result<Vec<Loaded<String, TaskBoard>>, RecordsError> {
        let entries = hub
            .district
            .shared
            .iter()
            .map(|(id, s)| (id.clone(), &s.doc));
        self.load_all(entries, "task board", TaskBoard::load)
    }

    /// Street `street`'s directory, when the district lists it and it is on
    /// this device.
    pub fn street_directory(
        &self,
        hub: &DistrictHub,
        street: &str,
    ) -> Result<Option<Directory>, RecordsError> {
        let Some(url) = hub
            .district
            .streets
            .get(street)
            .and_then(|s| s.directory.as_ref())
        else {
            return Ok(None);
        };
        let doc = doc_id(url)?;
        if !self.contains(doc)? {
            return Ok(None);
        }
        let dir = self.read_shaped(doc, "directory", Directory::load)?;
        Ok(Some(dir))
    }
}
