//! The upstream link's status, as `linli-relay upstream status` prints it:
//! kept in the relay's database (a meta key), since that command runs in
//! another process, like every admin command.

use serde::{Deserialize, Serialize};

/// The meta key holding the JSON status.
pub const META_KEY: &str = "upstream.status";

/// What a street admin wants to know of the link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamStatus {
    /// The hub's URL (without any token).
    pub hub: String,
    /// Whether the link is up now.
    pub connected: bool,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When this status was written (ms since the epoch).
    pub at: i64,
    /// Every document shared with the hub.
    pub documents: Vec<SharedDoc>,
}

/// One shared document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedDoc {
    /// Its automerge URL.
    pub doc: String,
    /// The hub's heads cover this relay's: the hub has everything.
    pub covered: bool,
}

impl UpstreamStatus {
    /// Documents the hub does not have all of yet.
    pub fn behind(&self) -> usize {
        self.documents.iter().filter(|d| !d.covered).count()
    }

    /// The status as lines for a person.
    pub fn render(&self) -> String {
        let mut out = format!(
            "hub: {}\nlink: {}\n",
            self.hub,
            if self.connected { "up" } else { "down" }
        );
        if let Some(e) = &self.last_error {
            out.push_str(&format!("last error: {e}\n"));
        }
        out.push_str(&format!(
            "shared documents: {}, the hub has everything of {} ({} behind)\n",
            self.documents.len(),
            self.documents.len() - self.behind(),
            self.behind()
        ));
        for d in &self.documents {
            out.push_str(&format!(
                "  {} {}\n",
                if d.covered { "ok    " } else { "behind" },
                d.doc
            ));
        }
        out
    }
}
