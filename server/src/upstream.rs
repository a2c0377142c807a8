//! The street relay's link up to a district hub (`--upstream`).
//!
//! Street boxes sit behind NAT, so the street dials out: one websocket to
//! the hub, authenticated with a `street-relay` token, reconnecting with
//! backoff. On it runs the same session as on every accepted connection
//! ([`crate::connection::run_dialed`]), with the hub as the peer: the hub
//! is attached to the street's documents like any device, so whatever a
//! device stores on the street flows up, and whatever the hub stores for
//! the street flows down to the devices, through the same document tasks
//! and the same durability rule. There is no second protocol.
//!
//! # What goes up, what comes down
//!
//! What the street shares up is what its directory says
//! ([`crate::directory_index`]): the directory itself, every task board,
//! the street summary (counts only, [`summary`]), and buildings only when
//! the street admin opts one in (`shareUp: true` on its directory entry;
//! the default is never, so residents' names and phones stay on the
//! street). Nothing else is ever offered, and the hub's peer is refused
//! everything else ([`crate::access`], the internal role `hub`).
//!
//! The hub answers the upgrade with its district directory's id
//! (`linli-district`). The link fetches that document (read-only for a
//! street relay on the hub) and registers each district board shared down
//! to this street in the street's own directory, as a board of the
//! community it is for ([`down`]). From there it is an ordinary board:
//! devices find it in the directory and the community's roles may read
//! and write it, so a volunteer's claim goes back up the same way.
//!
//! # Tree only
//!
//! Street → hub (→ city hub): every relay has at most one upstream, and a
//! document reaches a relay from one direction only. In a cycle a change
//! would loop back to where it came from, each relay would count the others
//! as the authority on what "the hub has everything" means, and a revoked
//! link could be bypassed the long way round. So the hub answers the
//! upgrade with its path to the root (`linli-relay-path`: the storage ids
//! of itself and every relay above it), and a relay that finds its own
//! storage id there (its upstream is itself, or below it) refuses the link
//! and says why. A relay whose district directory lists the hub's own
//! directory as a street's is refused the same way on the hub side
//! ([`crate::district_index`]).
//!
//! # Status
//!
//! Per shared document the link asks the document's task whether the hub's
//! heads cover the street's ([`crate::doc_actor::DocCommand::Covered`]),
//! sets `linli_upstream_document_covered{doc}`, and keeps the status in the
//! relay's database, which `linli-relay upstream status` prints.

mod dial;
mod down;
mod link;
pub mod status;
pub mod summary;

use std::sync::{Arc, Mutex, RwLock};

pub use link::spawn;

/// The header in which a relay answers a `/sync` upgrade with its path to
/// the root: its storage id, then its upstream's, and so on.
pub const PATH_HEADER: &str = "linli-relay-path";
/// The header in which a hub answers a `/sync` upgrade with its district
/// directory's document id.
pub const DISTRICT_HEADER: &str = "linli-district";

/// What the rest of the relay needs to know of its upstream link.
#[derive(Clone, Default)]
pub struct UpstreamShared {
    /// The storage ids of the relays above this one, nearest first, as the
    /// upstream hub last said.
    above: Arc<RwLock<Vec<String>>>,
    /// The status last stored, so an unchanged one is not stored again.
    last: Arc<Mutex<Option<status::UpstreamStatus>>>,
}

impl UpstreamShared {
    /// This relay's path to the root, for [`PATH_HEADER`].
    pub fn path(&self, own_storage_id: &str) -> String {
        let above = self.above.read().unwrap_or_else(|p| p.into_inner());
        std::iter::once(own_storage_id)
            .chain(above.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn set_above(&self, above: Vec<String>) {
        *self.above.write().unwrap_or_else(|p| p.into_inner()) = above;
    }

    fn last_written(&self) -> Option<status::UpstreamStatus> {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn written(&self, status: status::UpstreamStatus) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(status);
    }
}

/// Refuses an upstream that is plainly this relay itself: the same address
/// it listens on. (Longer cycles are caught when the link opens, from the
/// hub's path; see the module doc.)
pub fn check_not_self(upstream: &str, listen: std::net::SocketAddr) -> Result<(), String> {
    let url = url_host_port(upstream).ok_or_else(|| {
        format!("--upstream {upstream:?} is not a ws:// or wss:// URL with a host")
    })?;
    let same_port = url.1 == listen.port();
    let loopback_host = matches!(url.0.as_str(), "localhost" | "127.0.0.1" | "[::1]" | "::1");
    let same_host = url.0 == listen.ip().to_string()
        || (loopback_host && (listen.ip().is_loopback() || listen.ip().is_unspecified()));
    if same_port && same_host {
        return Err(format!(
            "--upstream {upstream} is this relay itself: a relay cannot be its own hub (the topology is a tree)"
        ));
    }
    Ok(())
}

/// The host and port of a `ws://` or `wss://` URL.
fn url_host_port(url: &str) -> Option<(String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let default_port = match scheme {
        "ws" => 80,
        "wss" => 443,
        _ => return None,
    };
    let authority = rest.split(['/', '?']).next()?;
    let authority = authority.rsplit('@').next()?;
    if authority.is_empty() {
        return None;
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || authority.starts_with('[') => {
            match port.parse() {
                Ok(p) => Some((host.to_owned(), p)),
                Err(_) => Some((authority.to_owned(), default_port)),
            }
        }
        _ => Some((authority.to_owned(), default_port)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upstream_that_is_this_relay_is_refused() {
        let listen: std::net::SocketAddr = "127.0.0.1:7171".parse().unwrap();
        assert!(check_not_self("ws://127.0.0.1:7171/sync", listen).is_err());
        assert!(check_not_self("ws://localhost:7171/sync", listen).is_err());
        assert!(check_not_self("ws://127.0.0.1:7172/sync", listen).is_ok());
        assert!(check_not_self("wss://hub.example/sync", listen).is_ok());
        assert!(check_not_self("http://hub/sync", listen).is_err());
        let any: std::net::SocketAddr = "0.0.0.0:443".parse().unwrap();
        assert!(check_not_self("wss://localhost/sync", any).is_err());
    }

    #[test]
    fn the_path_starts_with_this_relay() {
        let shared = UpstreamShared::default();
        assert_eq!(shared.path("me"), "me");
        shared.set_above(vec!["hub".into(), "city".into()]);
        assert_eq!(shared.path("me"), "me hub city");
    }
}
