//! The one place that decides what a peer may do with a document.
//!
//! A document's place on the street (the directory itself, a building, a
//! team, a community's task board) comes from the street's directory
//! document, indexed in [`DirectoryIndex`]. What each role may do there:
//!
//! | document | read | write |
//! |---|---|---|
//! | directory | every token | street-admin |
//! | building B of community C (in compound K of area A) | street-admin; grid-worker and building-head with B; compound-head with K; area-head with A; viewer with B or C | the same, except viewer |
//! | team T | street-admin; volunteer, team-leader and viewer with T | street-admin; team-leader with T |
//! | task board of community C | street-admin; grid-worker and building-head with a building in C; compound-head and area-head with a building of theirs in C; volunteer and team-leader with C; viewer with C | the same, except viewer |
//!
//! A building's compound, and a compound's area, come from the directory:
//! move a building to another compound (or a compound to another area) and
//! the heads' access follows at once. The relay closes the connections of
//! tokens that lost access by it ([`DirectoryIndex::lost_access`]), so no
//! document keeps flowing to someone no longer allowed to read it.
//! | any other document | street-admin | street-admin |
//!
//! On a street relay with an upstream link, the hub (the internal role
//! `hub`, never a token's) reads and writes exactly what the street shares
//! up: the directory, the task boards (the district's boards shared down
//! are registered there too), the street summary, and the buildings the
//! street admin opted in (`shareUp`); nothing else.
//!
//! On a district hub the directory is the district directory, and each
//! street's directory listed there is indexed too ([`district`]):
//!
//! | document | read | write |
//! |---|---|---|
//! | district directory | street-relay, district-admin, district-viewer | district-admin |
//! | what street S shares up: its directory, summary, opted-in buildings | street-relay of S; district-admin and -viewer (of S, or of every street) | street-relay of S |
//! | a task board street S shares up | the same | street-relay of S; district-admin |
//! | a district board shared down to streets | street-relay of those streets; district-admin and -viewer | street-relay of those streets; district-admin |
//!
//! The street roles reach nothing on a hub but what a street-admin token
//! (the hub's operator) reaches: everything.
//!
//! A document a token may not read is answered exactly as one that does not
//! exist.

pub mod district;

use std::collections::HashMap;

use linli_protocol::{Access, DocumentId, PeerId};

use crate::auth::{Grant, Role};

/// Who is on the other end of a connection.
#[derive(Debug, Clone)]
pub struct PeerIdentity {
    pub peer_id: PeerId,
    pub grant: Grant,
}

/// What a document is, according to the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocPlace {
    Directory,
    Building {
        building: String,
        community: String,
        compound: Option<String>,
        area: Option<String>,
    },
    Team {
        team: String,
    },
    Board {
        community: String,
    },
    /// On a hub: a document street `street` shares up.
    StreetShared {
        street: String,
        what: SharedUp,
    },
    /// On a hub: a district board shared down to these streets.
    SharedDown {
        streets: std::collections::BTreeSet<String>,
    },
}

/// What kind of document a street shares up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedUp {
    Directory,
    Board,
    Summary,
    Building,
}

/// Document id → place, from the street's directory document.
#[derive(Debug, Clone, Default)]
pub struct DirectoryIndex {
    places: HashMap<DocumentId, DocPlace>,
    /// Building id → its community id.
    building_community: HashMap<String, String>,
    /// Building id → its compound id and that compound's area id.
    building_compound: HashMap<String, (Option<String>, Option<String>)>,
    /// On a street relay: the documents the street shares up to its hub.
    shared_up: std::collections::HashSet<DocumentId>,
}

impl DirectoryIndex {
    pub fn new(directory: Option<DocumentId>) -> Self {
        let mut index = Self::default();
        if let Some(d) = directory {
            index.places.insert(d, DocPlace::Directory);
        }
        index
    }

    pub fn add_building(&mut self, doc: DocumentId, building: &str, community: &str) {
        self.add_building_in(doc, building, community, None, None);
    }

    /// Adds a building with its compound and that compound's area.
    pub fn add_building_in(
        &mut self,
        doc: DocumentId,
        building: &str,
        community: &str,
        compound: Option<&str>,
        area: Option<&str>,
    ) {
        self.building_community
            .insert(building.to_owned(), community.to_owned());
        let compound = compound.map(str::to_owned);
        let area = area.map(str::to_owned);
        self.building_compound
            .insert(building.to_owned(), (compound.clone(), area.clone()));
        self.places.insert(
            doc,
            DocPlace::Building {
                building: building.to_owned(),
                community: community.to_owned(),
                compound,
                area,
            },
        );
    }

    pub fn add_team(&mut self, doc: DocumentId, team: &str) {
        self.places.insert(
            doc,
            DocPlace::Team {
                team: team.to_owned(),
            },
        );
    }

    pub fn add_board(&mut self, doc: DocumentId, community: &str) {
        self.places.insert(
            doc,
            DocPlace::Board {
                community: community.to_owned(),
            },
        );
    }

    /// Marks `doc` as shared up to the hub (street side).
    pub fn share_up(&mut self, doc: DocumentId) {
        self.shared_up.insert(doc);
    }

    /// Whether the street shares `doc` up to its hub.
    pub fn is_shared_up(&self, doc: &DocumentId) -> bool {
        self.shared_up.contains(doc)
    }

    /// The documents the street shares up to its hub.
    pub fn shared_up(&self) -> impl Iterator<Item = &DocumentId> {
        self.shared_up.iter()
    }

    /// Places `doc` (hub side: a street's shared document, or a district
    /// board shared down).
    pub fn put(&mut self, doc: DocumentId, place: DocPlace) {
        self.places.insert(doc, place);
    }

    pub fn place(&self, doc: &DocumentId) -> Option<&DocPlace> {
        self.places.get(doc)
    }

    /// Whether `grant` heads building `building` (listed by id, or under
    /// its compound or area).
    fn heads(&self, grant: &Grant, building: &str) -> bool {
        let scope = &grant.scope;
        match grant.role {
            Role::GridWorker | Role::BuildingHead => scope.buildings.contains(building),
            Role::CompoundHead | Role::AreaHead => {
                let Some((compound, area)) = self.building_compound.get(building) else {
                    return false;
                };
                match grant.role {
                    Role::CompoundHead => compound
                        .as_ref()
                        .is_some_and(|k| scope.compounds.contains(k)),
                    _ => area.as_ref().is_some_and(|a| scope.areas.contains(a)),
                }
            }
            _ => false,
        }
    }

    fn has_building_in(&self, grant: &Grant, community: &str) -> bool {
        let in_community = |b: &String| {
            self.building_community
                .get(b)
                .is_some_and(|c| c == community)
        };
        match grant.role {
            // Few buildings each: look them up.
            Role::GridWorker | Role::BuildingHead => grant.scope.buildings.iter().any(in_community),
            _ => self
                .building_community
                .iter()
                .any(|(b, c)| c == community && self.heads(grant, b)),
        }
    }

    /// Whether `grant` may do less with some document under `self` than it
    /// could under `before` (read access lost, or write access): the relay
    /// then closes its connections, and they reconnect with what is left.
    pub fn lost_access(&self, before: &DirectoryIndex, grant: &Grant) -> bool {
        if grant.role == Role::StreetAdmin {
            return false;
        }
        let rank = |a: Option<Access>| match a {
            None => 0,
            Some(Access::ReadOnly) => 1,
            Some(Access::ReadWrite) => 2,
        };
        before
            .places
            .keys()
            .any(|doc| rank(decide(grant, doc, self)) < rank(decide(grant, doc, before)))
    }
}

/// `None`: the peer may not see the document at all. Otherwise, what it may
/// do with it.
pub fn decide(grant: &Grant, doc: &DocumentId, index: &DirectoryIndex) -> Option<Access> {
    use Access::{ReadOnly, ReadWrite};
    match grant.role {
        Role::StreetAdmin => return Some(ReadWrite),
        Role::Hub => return index.is_shared_up(doc).then_some(ReadWrite),
        Role::StreetRelay | Role::DistrictAdmin | Role::DistrictViewer => {
            return district::decide(grant, index.place(doc)?);
        }
        _ => {}
    }
    let scope = &grant.scope;
    let (read, write) = match index.place(doc)? {
        DocPlace::Directory => (true, false),
        DocPlace::Building {
            building,
            community,
            ..
        } => match grant.role {
            Role::GridWorker | Role::BuildingHead | Role::CompoundHead | Role::AreaHead => {
                let mine = index.heads(grant, building);
                (mine, mine)
            }
            Role::Viewer => (
                scope.buildings.contains(building) || scope.communities.contains(community),
                false,
            ),
            _ => (false, false),
        },
        DocPlace::Team { team } => {
            let mine = scope.teams.contains(team);
            match grant.role {
                Role::TeamLeader => (mine, mine),
                Role::Volunteer | Role::Viewer => (mine, false),
                _ => (false, false),
            }
        }
        DocPlace::Board { community } => match grant.role {
            Role::GridWorker | Role::BuildingHead | Role::CompoundHead | Role::AreaHead => {
                let mine = index.has_building_in(grant, community);
                (mine, mine)
            }
            Role::Volunteer | Role::TeamLeader => {
                let mine = scope.communities.contains(community);
                (mine, mine)
            }
            Role::Viewer => (scope.communities.contains(community), false),
            _ => (false, false),
        },
        DocPlace::StreetShared { .. } | DocPlace::SharedDown { .. } => (false, false),
    };
    match (read, write) {
        (true, true) => Some(ReadWrite),
        (true, false) => Some(ReadOnly),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Scope;

    fn grant(role: Role, scope: &str) -> Grant {
        Grant::new("t".into(), role, scope.parse::<Scope>().unwrap()).unwrap()
    }

    fn ids() -> [DocumentId; 6] {
        std::array::from_fn(|i| DocumentId::from_bytes([i as u8 + 1; 16]))
    }

    fn index() -> DirectoryIndex {
        let [dir, b1, b2, team, board1, _] = ids();
        let mut ix = DirectoryIndex::new(Some(dir));
        ix.add_building(b1, "b1", "c1");
        ix.add_building(b2, "b2", "c2");
        ix.add_team(team, "t1");
        ix.add_board(board1, "c1");
        ix
    }

    #[test]
    fn building_head_reads_and_writes_own_building_and_board_only() {
        let [dir, b1, b2, team, board1, unknown] = ids();
        let ix = index();
        let g = grant(Role::BuildingHead, "building:b1");
        assert_eq!(decide(&g, &dir, &ix), Some(Access::ReadOnly));
        assert_eq!(decide(&g, &b1, &ix), Some(Access::ReadWrite));
        assert_eq!(decide(&g, &b2, &ix), None);
        assert_eq!(decide(&g, &team, &ix), None);
        assert_eq!(decide(&g, &board1, &ix), Some(Access::ReadWrite));
        assert_eq!(decide(&g, &unknown, &ix), None);
    }

    #[test]
    fn volunteer_reads_team_writes_board_and_never_sees_buildings() {
        let [_, b1, _, team, board1, _] = ids();
        let ix = index();
        let v = grant(Role::Volunteer, "team:t1,community:c1");
        assert_eq!(decide(&v, &team, &ix), Some(Access::ReadOnly));
        assert_eq!(decide(&v, &board1, &ix), Some(Access::ReadWrite));
        assert_eq!(decide(&v, &b1, &ix), None);
        let l = grant(Role::TeamLeader, "team:t1,community:c1");
        assert_eq!(decide(&l, &team, &ix), Some(Access::ReadWrite));
    }

    #[test]
    fn viewer_only_reads_and_admin_does_everything() {
        let [dir, b1, b2, _, board1, unknown] = ids();
        let ix = index();
        let v = grant(Role::Viewer, "community:c1");
        assert_eq!(decide(&v, &b1, &ix), Some(Access::ReadOnly));
        assert_eq!(decide(&v, &b2, &ix), None);
        assert_eq!(decide(&v, &board1, &ix), Some(Access::ReadOnly));
        let a = grant(Role::StreetAdmin, "");
        for d in [dir, b1, b2, board1, unknown] {
            assert_eq!(decide(&a, &d, &ix), Some(Access::ReadWrite));
        }
    }
}
