//! Access follows the directory, live: when a building moves to another
//! compound, a compound to another area, or a building leaves the
//! directory, the tokens that lost access by it have their connections
//! closed ("access changed"), so nothing more of those documents reaches
//! them. They reconnect at once and get what they may still see. Tokens
//! that only gained access keep their connections.

use linli_protocol::CloseReason;
use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::auth::Grants;
use crate::peers::PeerRegistry;
use crate::street_directory::StreetDirectory;

/// Runs until `shutdown` is cancelled.
pub async fn close_lost_access(
    directory: StreetDirectory,
    grants: Grants,
    peers: PeerRegistry,
    shutdown: CancellationToken,
) {
    let mut published = directory.subscribe();
    let mut before = published.borrow_and_update().clone();
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            changed = published.changed() => if changed.is_err() { return },
        }
        let now = published.borrow_and_update().clone();
        let (live, _) = peers.activity();
        for grant in grants.live() {
            if live.get(&grant.name).is_some_and(|n| *n > 0) && now.lost_access(&before, &grant) {
                let closed = peers.close_token(&grant.name, CloseReason::AccessChanged);
                info!(token = %grant.name, closed, "the directory changed what this token may read; its connections were closed");
            }
        }
        before = now;
    }
}
