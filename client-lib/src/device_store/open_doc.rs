//! [`OpenDoc`]: one document held in memory.

use automerge::ChangeHash;
use linli_protocol::DocSync;

/// A document open in memory: the automerge document with the sync state of
/// each peer attached to it.
#[derive(Debug)]
pub(crate) struct OpenDoc {
    pub sync: DocSync,
    /// The relay's confirmed heads as last stored, so an unchanged
    /// confirmation is not written again.
    pub confirmed: Vec<ChangeHash>,
}
