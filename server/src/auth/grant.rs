//! Roles and scopes: what a token is for.
//!
//! A scope is a comma-separated list of `building:ID`, `community:ID`,
//! `team:ID` and (on a district hub) `street:ID` items, ids as in the
//! street's directory document and the hub's district directory. Which
//! documents each role may read and write is decided in
//! [`crate::access`].

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// The roles of DESIGN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything on the street.
    StreetAdmin,
    /// Listed buildings, and their communities' task boards.
    GridWorker,
    /// Own buildings, and their community's task board.
    BuildingHead,
    /// Their team (read), their communities' task boards.
    Volunteer,
    /// A volunteer who may also write their team.
    TeamLeader,
    /// Read-only on a scope.
    Viewer,
    /// An area head (片长): every building of their areas, and those
    /// buildings' communities' task boards.
    AreaHead,
    /// A compound head (院长/小区长): every building of their compounds, and
    /// those buildings' communities' task boards.
    CompoundHead,
    /// On a district hub: a street's relay dialing up, scoped to its
    /// `street:`. Its street's shared-up documents and what the district
    /// shares down to it.
    StreetRelay,
    /// On a district hub: everything its streets share up (all streets, or
    /// the `street:` items of its scope); writes task boards and the
    /// district's own documents.
    DistrictAdmin,
    /// On a district hub: what a district admin reads, read-only.
    DistrictViewer,
    /// Not a token's role: the hub, as a street relay sees it on its own
    /// upstream link. It may sync exactly what the street shares up and
    /// what comes down (see [`crate::upstream`]).
    Hub,
}

impl Role {
    /// The roles a token can be given ([`Role::Hub`] is not one).
    pub const ALL: [Role; 11] = [
        Role::StreetAdmin,
        Role::GridWorker,
        Role::BuildingHead,
        Role::Volunteer,
        Role::TeamLeader,
        Role::Viewer,
        Role::AreaHead,
        Role::CompoundHead,
        Role::StreetRelay,
        Role::DistrictAdmin,
        Role::DistrictViewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::StreetAdmin => "street-admin",
            Role::GridWorker => "grid-worker",
            Role::BuildingHead => "building-head",
            Role::Volunteer => "volunteer",
            Role::TeamLeader => "team-leader",
            Role::Viewer => "viewer",
            Role::AreaHead => "area-head",
            Role::CompoundHead => "compound-head",
            Role::StreetRelay => "street-relay",
            Role::DistrictAdmin => "district-admin",
            Role::DistrictViewer => "district-viewer",
            Role::Hub => "hub",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a role or scope text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GrantError {
    #[error(
        "unknown role {0:?}; roles are street-admin, grid-worker, building-head, volunteer, team-leader, viewer, area-head, compound-head, and on a district hub street-relay, district-admin, district-viewer"
    )]
    UnknownRole(String),
    #[error(
        "scope item {0:?} is not building:ID, community:ID, team:ID, area:ID, compound:ID or street:ID"
    )]
    BadScopeItem(String),
    #[error("role {role} needs a scope with at least one {needs} item")]
    EmptyScope { role: Role, needs: &'static str },
}

impl FromStr for Role {
    type Err = GrantError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| GrantError::UnknownRole(s.to_owned()))
    }
}

/// The buildings, communities, teams, areas, compounds and (on a hub)
/// streets a token covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub buildings: BTreeSet<String>,
    pub communities: BTreeSet<String>,
    pub teams: BTreeSet<String>,
    pub areas: BTreeSet<String>,
    pub compounds: BTreeSet<String>,
    pub streets: BTreeSet<String>,
}

impl FromStr for Scope {
    type Err = GrantError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut scope = Scope::default();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (kind, id) = item
                .split_once(':')
                .filter(|(_, id)| !id.is_empty())
                .ok_or_else(|| GrantError::BadScopeItem(item.to_owned()))?;
            let set = match kind {
                "building" => &mut scope.buildings,
                "community" => &mut scope.communities,
                "team" => &mut scope.teams,
                "area" => &mut scope.areas,
                "compound" => &mut scope.compounds,
                "street" => &mut scope.streets,
                _ => return Err(GrantError::BadScopeItem(item.to_owned())),
            };
            set.insert(id.to_owned());
        }
        Ok(scope)
    }
}

impl Scope {
    /// The scope's items as written, `building:ID`, `community:ID`,
    /// `team:ID`, `area:ID`, `compound:ID`, `street:ID`, in that order, each
    /// kind sorted.
    pub fn items(&self) -> Vec<String> {
        self.buildings
            .iter()
            .map(|b| format!("building:{b}"))
            .chain(self.communities.iter().map(|c| format!("community:{c}")))
            .chain(self.teams.iter().map(|t| format!("team:{t}")))
            .chain(self.areas.iter().map(|a| format!("area:{a}")))
            .chain(self.compounds.iter().map(|k| format!("compound:{k}")))
            .chain(self.streets.iter().map(|s| format!("street:{s}")))
            .collect()
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.items().join(","))
    }
}

/// A live token's name, role and scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub name: String,
    pub role: Role,
    pub scope: Scope,
}

impl Grant {
    /// Checks the scope fits the role (a building head without buildings
    /// could see nothing, which is surely a mistake).
    pub fn new(name: String, role: Role, scope: Scope) -> Result<Self, GrantError> {
        let needs = match role {
            Role::StreetAdmin => None,
            Role::GridWorker | Role::BuildingHead if scope.buildings.is_empty() => {
                Some("building:")
            }
            Role::Volunteer | Role::TeamLeader if scope.teams.is_empty() => Some("team:"),
            Role::AreaHead if scope.areas.is_empty() => Some("area:"),
            Role::CompoundHead if scope.compounds.is_empty() => Some("compound:"),
            Role::Viewer
                if scope.buildings.is_empty()
                    && scope.communities.is_empty()
                    && scope.teams.is_empty() =>
            {
                Some("building:, community: or team:")
            }
            // A street relay with no street, or two, could not be told
            // apart from its neighbours.
            Role::StreetRelay if scope.streets.len() != 1 => Some("street: (exactly one)"),
            // The hub is never a token's role.
            Role::Hub => Some("(none: the hub role is not given to tokens)"),
            _ => None,
        };
        match needs {
            Some(needs) => Err(GrantError::EmptyScope { role, needs }),
            None => Ok(Self { name, role, scope }),
        }
    }

    /// The hub, as a street relay's upstream link sees it: what it may do
    /// is decided by [`crate::access::decide`] from what the street shares.
    pub fn hub(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            role: Role::Hub,
            scope: Scope::default(),
        }
    }

    /// What `--allow-anonymous` gives a connection without a token.
    pub fn anonymous() -> Self {
        Self {
            name: "anonymous".into(),
            role: Role::StreetAdmin,
            scope: Scope::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_parses_and_prints_back() {
        let s: Scope = "building:b1, community:c1,team:t1,building:b2"
            .parse()
            .unwrap();
        assert_eq!(s.buildings.len(), 2);
        assert_eq!(
            s.to_string(),
            "building:b1,building:b2,community:c1,team:t1"
        );
        assert!(matches!(
            "floor:3".parse::<Scope>(),
            Err(GrantError::BadScopeItem(_))
        ));
        assert!(matches!(
            "building:".parse::<Scope>(),
            Err(GrantError::BadScopeItem(_))
        ));
    }

    #[test]
    fn roles_need_fitting_scopes() {
        let none = Scope::default();
        assert!(Grant::new("a".into(), Role::StreetAdmin, none.clone()).is_ok());
        assert!(Grant::new("h".into(), Role::BuildingHead, none.clone()).is_err());
        assert!(Grant::new("v".into(), Role::Volunteer, "community:c1".parse().unwrap()).is_err());
        assert!(
            Grant::new(
                "v".into(),
                Role::Volunteer,
                "team:t1,community:c1".parse().unwrap()
            )
            .is_ok()
        );
        assert_eq!("viewer".parse::<Role>().unwrap(), Role::Viewer);
        assert!("mayor".parse::<Role>().is_err());
    }
}
