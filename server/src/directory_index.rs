//! Builds the relay's [`DirectoryIndex`] from the street's directory
//! document: which document is which building (and its community), team
//! and task board.

use automerge::Automerge;
use linli_protocol::DocumentId;
use linli_records::directory::Directory;
use linli_records::ids::DocUrl;
use tracing::warn;

use crate::access::DirectoryIndex;

/// The index of `doc`, the directory document `id`. A directory that does
/// not parse yields an index that knows only the directory itself (so only
/// the street admin can reach anything else), with a warning.
pub fn build(id: DocumentId, doc: &Automerge) -> DirectoryIndex {
    let mut index = DirectoryIndex::new(Some(id));
    let directory = match Directory::load(doc) {
        Ok(d) => d,
        Err(e) => {
            warn!(error = %e, "the directory document does not parse; only the street admin can reach other documents");
            return index;
        }
    };
    for (building, entry) in &directory.buildings {
        if let Some(doc) = doc_id(entry.doc.as_ref()) {
            let compound = entry.compound.as_ref();
            let area = directory.area_of(building);
            index.add_building_in(
                doc,
                building.as_str(),
                entry.community.as_str(),
                compound.map(|k| k.as_str()),
                area.map(|a| a.as_str()),
            );
        }
    }
    for (team, entry) in &directory.teams {
        if let Some(doc) = doc_id(entry.doc.as_ref()) {
            index.add_team(doc, team.as_str());
        }
    }
    for entry in directory.boards.values() {
        if let Some(doc) = doc_id(entry.doc.as_ref()) {
            index.add_board(doc, entry.community.as_str());
        }
    }
    index
}

fn doc_id(url: Option<&DocUrl>) -> Option<DocumentId> {
    DocumentId::parse_id_or_url(url?.as_str()).ok()
}
