//! What a connection needs from the rest of the relay: who the relay is,
//! the registries it binds its peer and routes its documents through, and
//! the directory that decides access.

use linli_protocol::PeerId;

use crate::documents::DocRegistry;
use crate::metrics::Metrics;
use crate::peers::PeerRegistry;
use crate::street_directory::StreetDirectory;

/// Shared by every connection of a relay (cheap to clone: handles only).
#[derive(Clone)]
pub struct ConnContext {
    /// The relay's peer id, sent in `peer` and as the sender of errors.
    pub relay_id: PeerId,
    pub peers: PeerRegistry,
    pub docs: DocRegistry,
    pub directory: StreetDirectory,
    /// The relay's figures, counted where things happen.
    pub metrics: Metrics,
}
