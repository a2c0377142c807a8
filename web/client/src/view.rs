//! What the screens show, read from the documents by linli-records and
//! handed to the page as JSON. The page renders these as they are: search,
//! filters, ordering, a task's state and "saved on the relay" are decided
//! here, not in components.

mod conflicts;
mod households;
mod notices;
mod services;
mod tasks;

pub use conflicts::{ConflictLine, ValueLine, conflicts};
pub use households::{
    HouseholdFilter, HouseholdLine, HouseholdPage, MemberLine, VisitLine, household, households,
};
pub use notices::{NoticeLine, notices};
pub use services::{RequestLine, ServiceLine, services};
pub use tasks::{HoursLine, TaskLine, TaskPage, task, tasks};

use serde::Serialize;

use crate::device::Device;

/// One building this phone holds (only those the relay shared with it).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct BuildingCard {
    pub id: String,
    pub doc: String,
    pub name: String,
    pub community: String,
    pub compound: String,
    pub households: usize,
    /// Tags on its households and residents, for the filter buttons.
    pub tags: Vec<String>,
}

/// The status line: the same facts `linli status` reports.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Status {
    /// This phone's changes the relay has not confirmed.
    pub pending: usize,
    /// When the oldest of them was made (ms), if any.
    pub oldest_ms: Option<i64>,
    /// Whether a relay session is up.
    pub connected: bool,
    /// Whether the street's directory has arrived.
    pub has_directory: bool,
    /// Fields with concurrent values on this phone, to settle.
    pub conflicts: usize,
}

pub fn status(device: &Device) -> Status {
    let unconfirmed = device.unconfirmed();
    Status {
        pending: unconfirmed.changes,
        oldest_ms: unconfirmed.oldest_secs.map(|s| s.saturating_mul(1000)),
        connected: device.connected(),
        has_directory: device.directory().is_some(),
        conflicts: device
            .documents()
            .map(|(doc, _)| device.conflict_count(doc))
            .sum(),
    }
}

/// The buildings whose documents are on this phone, by name.
pub fn buildings(device: &Device) -> Vec<BuildingCard> {
    let mut out: Vec<BuildingCard> = device
        .buildings()
        .map(|(doc, b)| {
            let mut tags: Vec<String> = b
                .households
                .values()
                .flat_map(|hh| {
                    hh.fields
                        .tags
                        .iter()
                        .chain(hh.members.values().flat_map(|m| m.tags.iter()))
                })
                .cloned()
                .collect();
            tags.sort();
            tags.dedup();
            BuildingCard {
                id: b.building.id.as_str().to_owned(),
                doc: doc.to_string(),
                name: b.building.name,
                community: b.building.community,
                compound: b.building.compound,
                households: b.households.len(),
                tags,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.community, &a.compound, &a.name).cmp(&(&b.community, &b.compound, &b.name))
    });
    out
}

/// A community's name from the directory on this phone (its id when the
/// directory has not arrived or does not list it).
pub(crate) fn community_name(device: &Device, id: &linli_records::ids::CommunityId) -> String {
    device
        .directory()
        .and_then(|d| d.communities.get(id).map(|c| c.name.clone()))
        .unwrap_or_else(|| id.to_string())
}
