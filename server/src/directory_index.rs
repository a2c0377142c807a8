//! Builds the relay's [`DirectoryIndex`] from the street's directory
//! document: which document is which building (and its community), team
//! and task board, and which of them the street shares up to a district
//! hub (the directory, every board, the summary, opted-in buildings).

use automerge::Automerge;
use linli_protocol::DocumentId;
use linli_records::directory::Directory;
use linli_records::district;
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
            index.share_up(doc);
        }
    }
    index.share_up(id);
    if let Ok(Some(summary)) = district::summary_url(doc)
        && let Some(summary) = doc_id(Some(&summary))
    {
        index.share_up(summary);
    }
    match district::shared_up_buildings(doc) {
        Ok(opted) => {
            for b in opted {
                if let Some(doc) = doc_id(directory.buildings.get(&b).and_then(|e| e.doc.as_ref()))
                {
                    index.share_up(doc);
                }
            }
        }
        Err(e) => {
            warn!(error = %e, "the directory's shareUp marks do not parse; no building goes up")
        }
    }
    index
}

fn doc_id(url: Option<&DocUrl>) -> Option<DocumentId> {
    DocumentId::parse_id_or_url(url?.as_str()).ok()
}
