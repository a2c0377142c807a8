//! The one place that decides what a peer may do with a document.
//!
//! Every read and write the relay serves goes through [`decide`]. Tokens and
//! roles arrive with the access-control work; until then every peer may read
//! and write every document.

use linli_protocol::{Access, DocumentId, PeerId};

/// Who is on the other end of a connection, as far as the relay knows.
#[derive(Debug, Clone)]
pub struct PeerIdentity {
    pub peer_id: PeerId,
}

/// `None`: the peer may not see the document at all, and is answered as if
/// it did not exist. Otherwise, what it may do.
pub fn decide(_who: &PeerIdentity, _doc: &DocumentId) -> Option<Access> {
    Some(Access::ReadWrite)
}
