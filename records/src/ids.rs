//! Stable identifiers for every keyed record.
//!
//! Ids are plain strings so they read well in documents and CSV files. They
//! are either given (a `household_id` or `volunteer_id` column, a task id the
//! caller generated) or *derived* from the data with the `derive` functions:
//! a short SHA-256 digest of the identifying fields, so the same data always
//! gives the same id and importing twice finds the records it wrote before.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::IdError;

/// Longest id accepted, in bytes.
pub const MAX_ID_LEN: usize = 128;

fn check(kind: &'static str, id: &str) -> Result<(), IdError> {
    let problem = if id.is_empty() {
        Some("it is empty")
    } else if id.len() > MAX_ID_LEN {
        Some("it is longer than 128 bytes")
    } else if id.chars().any(char::is_control) {
        Some("it contains a control character")
    } else if id.trim() != id {
        Some("it starts or ends with whitespace")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(IdError {
            kind,
            id: id.to_owned(),
            problem,
        }),
        None => Ok(()),
    }
}

/// `prefix-` followed by 16 hex digits of SHA-256 over the length-prefixed
/// parts (length prefixes keep `("ab","c")` and `("a","bc")` apart).
fn digest(prefix: &str, parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let hash = hasher.finalize();
    format!("{prefix}-{}", hex::encode(&hash[..8]))
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Checks `id` (non-empty, at most 128 bytes, no control
            /// characters, no surrounding whitespace) and wraps it.
            pub fn new(id: impl Into<String>) -> Result<Self, IdError> {
                let id = id.into();
                check(stringify!($name), &id)?;
                Ok(Self(id))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(id: String) -> Result<Self, IdError> {
                Self::new(id)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

id_type!(
    /// A community (社区) in the directory.
    CommunityId
);
id_type!(
    /// A compound (小区) in the directory.
    CompoundId
);
id_type!(
    /// An area (片区) of a community: a group of compounds with an area head.
    AreaId
);
id_type!(
    /// A service a team (or another provider) offers, on a task board.
    ServiceId
);
id_type!(
    /// A request for a service, on a task board.
    RequestId
);
id_type!(
    /// A notice (通知) on a task board.
    NoticeId
);
id_type!(
    /// A building; also names its building document.
    BuildingId
);
id_type!(
    /// A household inside a building document.
    HouseholdId
);
id_type!(
    /// A resident inside a household.
    MemberId
);
id_type!(
    /// One entry of a household's visit log.
    VisitId
);
id_type!(
    /// A volunteer team; also names its team document.
    TeamId
);
id_type!(
    /// A volunteer inside a team document.
    VolunteerId
);
id_type!(
    /// Anyone who acts on a record: a building head, grid worker, staff member
    /// or volunteer. For volunteers it is their [`VolunteerId`] text.
    PersonId
);
id_type!(
    /// A task on a task board.
    TaskId
);
id_type!(
    /// One event in a task's event list.
    EventId
);
id_type!(
    /// One entry of a team's service-hours log.
    HoursEntryId
);
id_type!(
    /// A task board (one community, one period) in the directory.
    BoardId
);

impl CommunityId {
    /// Id of the community called `name`.
    pub fn derive(name: &str) -> Self {
        Self(digest("c", &[name]))
    }
}

impl CompoundId {
    /// Id of compound `compound` in community `community` (both names).
    pub fn derive(community: &str, compound: &str) -> Self {
        Self(digest("k", &[community, compound]))
    }
}

impl AreaId {
    /// Id of area `area` in community `community` (both names).
    pub fn derive(community: &str, area: &str) -> Self {
        Self(digest("a", &[community, area]))
    }
}

impl RequestId {
    /// Id of `by`'s request at `at` of `service` for `household` (empty for
    /// none).
    pub fn derive(service: &ServiceId, household: &str, by: &PersonId, at: i64) -> Self {
        Self(digest(
            "rq",
            &[service.as_str(), household, by.as_str(), &at.to_string()],
        ))
    }
}

impl BuildingId {
    /// Id of building `building` in `compound` of `community` (all names).
    pub fn derive(community: &str, compound: &str, building: &str) -> Self {
        Self(digest("b", &[community, compound, building]))
    }
}

impl HouseholdId {
    /// Id for a household given no id of its own: one household per
    /// address (unit, floor, room) of a building.
    pub fn derive(building: &BuildingId, unit: &str, floor: Option<i32>, room: &str) -> Self {
        let floor = floor.map(|f| f.to_string()).unwrap_or_default();
        Self(digest("h", &[building.as_str(), unit, &floor, room]))
    }
}

impl MemberId {
    /// Id of the resident called `name`, born in `birth_year`, in `household`.
    /// Members created by the app should use it too, so a later CSV import
    /// finds them.
    pub fn derive(household: &HouseholdId, name: &str, birth_year: i32) -> Self {
        Self(digest(
            "m",
            &[household.as_str(), name, &birth_year.to_string()],
        ))
    }
}

impl MemberId {
    /// Id of one of several residents of `household` who share a name and
    /// birth year: their gender, relation and phone (as stored, `""` when
    /// absent) tell them apart.
    pub fn derive_distinct(
        household: &HouseholdId,
        name: &str,
        birth_year: i32,
        gender: &str,
        relation: &str,
        phone: &str,
    ) -> Self {
        Self(digest(
            "m",
            &[
                household.as_str(),
                name,
                &birth_year.to_string(),
                gender,
                relation,
                phone,
            ],
        ))
    }
}

impl VisitId {
    /// Id of the visit `by` made at `at` (ms) to `household`.
    pub fn derive(household: &HouseholdId, by: &PersonId, at: i64) -> Self {
        Self(digest(
            "vis",
            &[household.as_str(), by.as_str(), &at.to_string()],
        ))
    }
}

impl TeamId {
    /// Id of the team called `name`.
    pub fn derive(name: &str) -> Self {
        Self(digest("t", &[name]))
    }
}

impl VolunteerId {
    /// Id for a volunteer given no id of their own.
    pub fn derive(team: &str, name: &str, phone: &str) -> Self {
        Self(digest("v", &[team, name, phone]))
    }
}

impl BoardId {
    /// Id of the task board of `community` for `period` (e.g. "2025-06").
    pub fn derive(community: &CommunityId, period: &str) -> Self {
        Self(digest("tb", &[community.as_str(), period]))
    }
}

impl HoursEntryId {
    /// Id of `volunteer`'s service starting at `start` (ms): logging the same
    /// service twice writes the same entry.
    pub fn derive(volunteer: &VolunteerId, start: i64) -> Self {
        Self(digest("hrs", &[volunteer.as_str(), &start.to_string()]))
    }
}

impl EventId {
    pub(crate) fn from_digest(parts: &[&str]) -> Self {
        Self(digest("e", parts))
    }
}

impl From<VolunteerId> for PersonId {
    fn from(v: VolunteerId) -> Self {
        Self(v.0)
    }
}

impl From<&VolunteerId> for PersonId {
    fn from(v: &VolunteerId) -> Self {
        Self(v.0.clone())
    }
}

impl From<&PersonId> for VolunteerId {
    fn from(p: &PersonId) -> Self {
        Self(p.0.clone())
    }
}

/// The URL of another automerge document, e.g. `automerge:2e8Qca…`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocUrl(String);

impl DocUrl {
    /// Accepts text starting with `automerge:` followed by a non-empty id.
    pub fn new(url: impl Into<String>) -> Result<Self, IdError> {
        let url = url.into();
        check("DocUrl", &url)?;
        match url.strip_prefix("automerge:") {
            Some(rest) if !rest.is_empty() => Ok(Self(url)),
            _ => Err(IdError {
                kind: "DocUrl",
                id: url,
                problem: "it does not start with `automerge:` followed by a document id",
            }),
        }
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for DocUrl {
    type Error = IdError;
    fn try_from(url: String) -> Result<Self, IdError> {
        Self::new(url)
    }
}

impl From<DocUrl> for String {
    fn from(url: DocUrl) -> String {
        url.0
    }
}

impl HoursEntryId {
    /// Id of one service on a task board: `volunteer`'s `minutes` starting at
    /// `start` (ms), for `task` if any, with `note`. Logging the same service
    /// twice (a retried command) writes the same entry, while two services
    /// on the same day (a date alone gives the same `start`) stay apart as
    /// long as their minutes, task or note differ.
    pub fn for_service(
        volunteer: &VolunteerId,
        start: i64,
        minutes: u32,
        task: Option<&TaskId>,
        note: &str,
    ) -> Self {
        Self(digest(
            "hrs",
            &[
                volunteer.as_str(),
                &start.to_string(),
                &minutes.to_string(),
                task.map_or("", |t| t.as_str()),
                note,
            ],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        let h = HouseholdId::new("c01-b001-h0001").unwrap();
        let a = MemberId::derive(&h, "王伟", 1950);
        assert_eq!(a, MemberId::derive(&h, "王伟", 1950));
        assert_ne!(a, MemberId::derive(&h, "王伟", 1951));
        assert_ne!(a, MemberId::derive(&h, "王", 1950));
        assert!(a.as_str().starts_with("m-"));
        assert_eq!(a.as_str().len(), 2 + 16);
    }

    #[test]
    fn length_prefixes_keep_split_points_apart() {
        assert_ne!(CompoundId::derive("ab", "c"), CompoundId::derive("a", "bc"));
    }

    #[test]
    fn bad_ids_are_rejected_with_reason() {
        assert_eq!(TaskId::new("").unwrap_err().problem, "it is empty");
        assert!(TaskId::new(" t1").is_err());
        assert!(TaskId::new("t\n1").is_err());
        assert!(TaskId::new("x".repeat(129)).is_err());
        assert!(TaskId::new("t1").is_ok());
    }

    #[test]
    fn doc_urls_need_the_automerge_prefix() {
        assert!(DocUrl::new("automerge:2e8QcaKnyfi34tyRsmK6BTSd9dqJ").is_ok());
        assert!(DocUrl::new("automerge:").is_err());
        assert!(DocUrl::new("https://x").is_err());
    }

    #[test]
    fn ids_deserialize_through_validation() {
        let ok: TaskId = serde_json::from_str("\"t1\"").unwrap();
        assert_eq!(ok.as_str(), "t1");
        assert!(serde_json::from_str::<TaskId>("\"\"").is_err());
    }
}
