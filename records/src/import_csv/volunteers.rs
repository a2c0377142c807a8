//! Parsing `volunteers.csv` into teams and volunteers.

use std::collections::HashMap;

use serde::Serialize;

use super::rows::{self, Columns, ImportError, RejectedRow, RowProblem, VOLUNTEER_COLUMNS};
use crate::ids::{TeamId, VolunteerId};
use crate::team::{TeamRef, Volunteer};
use crate::vocab::{Affiliation, Availability};

const REQUIRED: [&str; 5] = ["team", "name", "phone", "affiliation", "available"];

/// The accepted and rejected content of a `volunteers.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VolunteerImport {
    /// Accepted volunteers by team, in order of first appearance.
    pub teams: Vec<TeamImport>,
    /// Rejected rows, by line.
    pub rejected: Vec<RejectedRow>,
}

/// The accepted volunteers of one team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamImport {
    /// The team (id derived from its name).
    pub team: TeamRef,
    /// Its volunteers, in row order.
    pub volunteers: Vec<ImportedVolunteer>,
}

/// One accepted volunteer row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedVolunteer {
    /// `volunteer_id`, or derived from team, name and phone.
    pub id: VolunteerId,
    /// The record.
    pub volunteer: Volunteer,
    /// Its line in the file.
    pub line: u64,
}

/// Parses a `volunteers.csv`. Fails only when the header lacks a required
/// column; every other problem rejects rows.
pub fn parse_volunteers(csv: &[u8]) -> Result<VolunteerImport, ImportError> {
    let mut reader = rows::reader(csv);
    let cols = Columns::new(&mut reader, &VOLUNTEER_COLUMNS, &REQUIRED)?;
    let mut rejected = Vec::new();
    let mut accepted: Vec<(TeamRef, ImportedVolunteer)> = Vec::new();
    for record in rows::records(&mut reader, csv) {
        let (line, record) = match record {
            Ok(r) => r,
            Err(bad) => {
                rejected.push(bad);
                continue;
            }
        };
        let mut problems: Vec<RowProblem> = cols.check_width(&record).into_iter().collect();
        let get = |c: &str| cols.get(&record, c);
        let team = rows::required(get("team"), "team", &mut problems);
        let name = rows::required(get("name"), "name", &mut problems);
        let phone = rows::required(get("phone"), "phone", &mut problems)
            .and_then(|p| rows::phone(p).map_err(|e| problems.push(e)).ok().flatten());
        let affiliation = rows::required(get("affiliation"), "affiliation", &mut problems)
            .and_then(|a| {
                rows::parsed(
                    a,
                    Affiliation::parse,
                    |value| RowProblem::BadAffiliation { value },
                    &mut problems,
                )
            });
        let availability =
            rows::required(get("available"), "available", &mut problems).and_then(|a| {
                rows::parsed(
                    a,
                    Availability::parse,
                    |value| RowProblem::BadAvailability { value },
                    &mut problems,
                )
            });
        let id = match get("volunteer_id") {
            "" => match (team, name, &phone) {
                (Some(t), Some(n), Some(p)) => Some(VolunteerId::derive(t, n, p)),
                _ => None,
            },
            given => VolunteerId::new(given)
                .map_err(|e| {
                    problems.push(RowProblem::BadId {
                        column: "volunteer_id",
                        value: given.to_owned(),
                        reason: e.problem,
                    })
                })
                .ok(),
        };
        match (id, team, name, phone, affiliation, availability) {
            (
                Some(id),
                Some(team),
                Some(name),
                Some(phone),
                Some(affiliation),
                Some(availability),
            ) if problems.is_empty() => accepted.push((
                TeamRef {
                    id: TeamId::derive(team),
                    name: team.to_owned(),
                },
                ImportedVolunteer {
                    id,
                    volunteer: Volunteer {
                        name: name.to_owned(),
                        phone,
                        affiliation,
                        skills: rows::set(get("skills")),
                        availability,
                    },
                    line,
                },
            )),
            _ => rejected.push(RejectedRow { line, problems }),
        }
    }

    // Rows sharing a volunteer id are all rejected: which one is right is
    // for a person to say.
    let mut lines_by_id: HashMap<VolunteerId, Vec<u64>> = HashMap::new();
    for (_, v) in &accepted {
        lines_by_id.entry(v.id.clone()).or_default().push(v.line);
    }
    let mut teams: Vec<TeamImport> = Vec::new();
    for (team, v) in accepted {
        let lines = &lines_by_id[&v.id];
        if lines.len() > 1 {
            rejected.push(RejectedRow {
                line: v.line,
                problems: lines
                    .iter()
                    .filter(|l| **l != v.line)
                    .map(|l| RowProblem::DuplicateVolunteer {
                        id: v.id.to_string(),
                        line: *l,
                    })
                    .collect(),
            });
            continue;
        }
        match teams.iter_mut().find(|t| t.team.id == team.id) {
            Some(t) => t.volunteers.push(v),
            None => teams.push(TeamImport {
                team,
                volunteers: vec![v],
            }),
        }
    }
    rejected.sort_by_key(|r| r.line);
    Ok(VolunteerImport { teams, rejected })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "volunteer_id,team,name,phone,affiliation,skills,available\n";

    fn parse(body: &str) -> VolunteerImport {
        parse_volunteers(format!("{HEADER}{body}").as_bytes()).unwrap()
    }

    #[test]
    fn rows_group_into_teams() {
        let import = parse(
            "v00001,党员先锋队,郝娟,184-0127-5098,student,tutoring;cooking;cleaning,weekends\n\
             v00002,巾帼志愿队,柏燕艳,156-0836-1648,student,it-help;counselling,any\n\
             v00007,党员先锋队,祝梅秀,188-0061-2849,in-service-party-member,cleaning,evenings\n",
        );
        assert!(import.rejected.is_empty());
        assert_eq!(import.teams.len(), 2);
        let t = &import.teams[0];
        assert_eq!(t.team.id, TeamId::derive("党员先锋队"));
        assert_eq!(t.volunteers.len(), 2);
        assert_eq!(
            t.volunteers[1].volunteer.affiliation,
            Affiliation::InServicePartyMember
        );
        assert_eq!(t.volunteers[0].volunteer.skills.len(), 3);
    }

    #[test]
    fn bad_values_are_reported_per_row() {
        let import = parse(
            "v1,队,甲,123,alien,,sometimes\n\
             v2,队,乙,,student,,any\n\
             v3,队,丙,184-0127-5098,student,,any\n",
        );
        let msgs: Vec<(u64, Vec<String>)> = import
            .rejected
            .iter()
            .map(|r| (r.line, r.problems.iter().map(|p| p.to_string()).collect()))
            .collect();
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0].0, 2);
        assert_eq!(msgs[0].1.len(), 3);
        assert_eq!(msgs[1], (3, vec!["phone is empty".to_owned()]));
        assert_eq!(import.teams[0].volunteers.len(), 1);
    }

    #[test]
    fn a_shared_volunteer_id_rejects_every_row_using_it() {
        let import = parse(
            "v1,队,甲,184-0127-5098,student,,any\n\
             v1,队,乙,184-0127-5099,student,,any\n",
        );
        assert!(import.teams.is_empty());
        assert_eq!(
            import.rejected[0].problems[0].to_string(),
            "volunteer id v1 is also used on line 3"
        );
        assert_eq!(import.rejected.len(), 2);
    }

    #[test]
    fn empty_volunteer_id_is_derived() {
        let import = parse(",队,甲,184-0127-5098,student,,any\n");
        let v = &import.teams[0].volunteers[0];
        assert_eq!(v.id, VolunteerId::derive("队", "甲", "184-0127-5098"));
    }
}
