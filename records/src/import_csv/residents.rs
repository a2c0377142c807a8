//! Parsing `residents.csv` into buildings, households and members.

use std::collections::HashMap;

use csv::StringRecord;
use serde::Serialize;

use super::rows::{
    self, Columns, ImportError, ImportLimits, RESIDENT_COLUMNS, RejectedRow, RowProblem,
};
use crate::building::{BuildingRef, Member};
use crate::ids::{BuildingId, HouseholdId, MemberId};
use crate::vocab::{Gender, Relation};

const REQUIRED: [&str; 6] = [
    "community",
    "building",
    "room",
    "name",
    "birth_year",
    "relation",
];

/// The accepted and rejected content of a `residents.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResidentImport {
    /// Accepted households by building, in order of first appearance.
    pub buildings: Vec<BuildingImport>,
    /// Rejected rows, by line.
    pub rejected: Vec<RejectedRow>,
}

/// The accepted households of one building.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildingImport {
    /// The building (id derived from its community, compound and name).
    pub building: BuildingRef,
    /// Its households, in order of first appearance.
    pub households: Vec<HouseholdImport>,
}

/// One accepted household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdImport {
    /// Its id.
    pub id: HouseholdId,
    /// Unit.
    pub unit: String,
    /// Floor, if given.
    pub floor: Option<i32>,
    /// Room.
    pub room: String,
    /// Its members, in row order.
    pub members: Vec<ImportedMember>,
}

/// One accepted resident row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedMember {
    /// Id derived from household, name and birth year.
    pub id: MemberId,
    /// The record.
    pub member: Member,
    /// Its line in the file.
    pub line: u64,
}

/// One row, parsed as far as it goes.
struct Row {
    line: u64,
    household: Option<HouseholdId>,
    problems: Vec<RowProblem>,
    building: Option<BuildingRef>,
    unit: String,
    floor: Option<i32>,
    room: String,
    member: Option<Member>,
}

/// Parses a `residents.csv`. Fails only when the header lacks a required
/// column; every other problem rejects rows (see the module doc for the rules).
pub fn parse_residents(csv: &[u8], limits: &ImportLimits) -> Result<ResidentImport, ImportError> {
    let mut reader = rows::reader(csv);
    let cols = Columns::new(&mut reader, &RESIDENT_COLUMNS, &REQUIRED)?;
    let mut rejected = Vec::new();
    // Households in order of first appearance, rows grouped under them.
    let mut order: Vec<HouseholdId> = Vec::new();
    let mut groups: HashMap<HouseholdId, Vec<Row>> = HashMap::new();
    for record in rows::records(&mut reader, csv) {
        let (line, record) = match record {
            Ok(r) => r,
            Err(bad) => {
                rejected.push(bad);
                continue;
            }
        };
        let row = parse_row(&cols, line, &record, limits);
        match &row.household {
            Some(h) => {
                if !groups.contains_key(h) {
                    order.push(h.clone());
                }
                groups.entry(h.clone()).or_default().push(row);
            }
            None => rejected.push(RejectedRow {
                line: row.line,
                problems: row.problems,
            }),
        }
    }

    let mut buildings: Vec<BuildingImport> = Vec::new();
    let mut building_index: HashMap<BuildingId, usize> = HashMap::new();
    for id in order {
        let Some(group) = groups.remove(&id) else {
            continue;
        };
        match check_household(&id, group) {
            Ok((building, household)) => {
                let i = *building_index
                    .entry(building.id.clone())
                    .or_insert_with(|| {
                        buildings.push(BuildingImport {
                            building,
                            households: Vec::new(),
                        });
                        buildings.len() - 1
                    });
                buildings[i].households.push(household);
            }
            Err(rows) => rejected.extend(rows),
        }
    }
    rejected.sort_by_key(|r| r.line);
    Ok(ResidentImport {
        buildings,
        rejected,
    })
}

fn parse_row(cols: &Columns, line: u64, record: &StringRecord, limits: &ImportLimits) -> Row {
    let mut problems: Vec<RowProblem> = cols.check_width(record).into_iter().collect();
    let get = |c: &str| cols.get(record, c);

    let community = rows::required(get("community"), "community", &mut problems);
    let building_name = rows::required(get("building"), "building", &mut problems);
    let compound = get("compound");
    let building = match (community, building_name) {
        (Some(c), Some(b)) => Some(BuildingRef {
            id: BuildingId::derive(c, compound, b),
            community: c.to_owned(),
            compound: compound.to_owned(),
            name: b.to_owned(),
        }),
        _ => None,
    };
    let unit = get("unit").to_owned();
    let floor_text = get("floor");
    let floor = if floor_text.is_empty() {
        None
    } else {
        rows::parsed(
            floor_text,
            |f| f.parse::<i32>().ok(),
            |value| RowProblem::BadFloor { value },
            &mut problems,
        )
    };
    let room = rows::required(get("room"), "room", &mut problems)
        .unwrap_or_default()
        .to_owned();

    let household = match get("household_id") {
        "" => building
            .as_ref()
            .filter(|_| !room.is_empty())
            .map(|b| HouseholdId::derive(&b.id, &unit, floor, &room)),
        given => match HouseholdId::new(given) {
            Ok(id) => Some(id),
            Err(e) => {
                problems.push(RowProblem::BadId {
                    column: "household_id",
                    value: given.to_owned(),
                    reason: e.problem,
                });
                None
            }
        },
    };

    let name = rows::required(get("name"), "name", &mut problems);
    let birth_year = rows::required(get("birth_year"), "birth_year", &mut problems).and_then(|y| {
        match y.parse::<i32>() {
            Err(_) => {
                problems.push(RowProblem::BadBirthYear {
                    value: y.to_owned(),
                });
                None
            }
            Ok(year) if year < limits.min_birth_year || year > limits.max_birth_year => {
                problems.push(RowProblem::BirthYearOutOfRange {
                    year,
                    min: limits.min_birth_year,
                    max: limits.max_birth_year,
                });
                None
            }
            Ok(year) => Some(year),
        }
    });
    let gender_text = get("gender");
    let gender = if gender_text.is_empty() {
        Some(None)
    } else {
        rows::parsed(
            gender_text,
            Gender::parse,
            |value| RowProblem::BadGender { value },
            &mut problems,
        )
        .map(Some)
    };
    let phone = rows::phone(get("phone")).map_err(|p| problems.push(p)).ok();
    let relation = rows::required(get("relation"), "relation", &mut problems).and_then(|r| {
        rows::parsed(
            r,
            Relation::parse,
            |value| RowProblem::BadRelation { value },
            &mut problems,
        )
    });

    let member = match (name, birth_year, gender, phone, relation) {
        (Some(name), Some(birth_year), Some(gender), Some(phone), Some(relation))
            if problems.is_empty() =>
        {
            Some(Member {
                name: name.to_owned(),
                gender,
                birth_year,
                phone,
                relation,
                tags: rows::set(get("tags")),
                note: get("notes").to_owned(),
            })
        }
        _ => None,
    };
    Row {
        line,
        household,
        problems,
        building,
        unit,
        floor,
        room,
        member,
    }
}

/// What makes two rows of a household the same person: name, birth year,
/// gender, relation and phone.
type PersonKey<'a> = (&'a str, i32, Option<Gender>, Relation, Option<&'a str>);

/// Accepts a household's rows whole, or rejects them all.
fn check_household(
    id: &HouseholdId,
    rows: Vec<Row>,
) -> Result<(BuildingRef, HouseholdImport), Vec<RejectedRow>> {
    let household = id.to_string();
    let mut problems: Vec<Vec<RowProblem>> = rows.iter().map(|r| r.problems.clone()).collect();

    if let Some(first) = rows.first() {
        let first_building = first.building.as_ref().map(|b| b.id.clone());
        for (i, row) in rows.iter().enumerate().skip(1) {
            let mut differs = |field: &'static str, value: String, other: String| {
                if value != other {
                    problems[i].push(RowProblem::Disagrees {
                        household: household.clone(),
                        field,
                        value,
                        other,
                        line: first.line,
                    });
                }
            };
            let name = |b: &Option<BuildingRef>| {
                b.as_ref()
                    .map(|b| format!("{} {} {}", b.community, b.compound, b.name))
                    .unwrap_or_default()
            };
            if row.building.as_ref().map(|b| b.id.clone()) != first_building {
                differs("building", name(&row.building), name(&first.building));
            }
            differs("unit", row.unit.clone(), first.unit.clone());
            let floor = |f: Option<i32>| f.map(|f| f.to_string()).unwrap_or_default();
            differs("floor", floor(row.floor), floor(first.floor));
            differs("room", row.room.clone(), first.room.clone());
        }
    }

    // Residents sharing a name and birth year are told apart by gender,
    // relation and phone; rows equal in all of those are one person twice.
    let mut seen: HashMap<PersonKey<'_>, u64> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        if let Some(m) = &row.member {
            let key = (
                m.name.as_str(),
                m.birth_year,
                m.gender,
                m.relation,
                m.phone.as_deref(),
            );
            if let Some(&line) = seen.get(&key) {
                problems[i].push(RowProblem::DuplicateMember {
                    household: household.clone(),
                    name: m.name.clone(),
                    birth_year: m.birth_year,
                    line,
                });
            } else {
                seen.insert(key, row.line);
            }
        }
    }
    let mut same_name: HashMap<(String, i32), usize> = HashMap::new();
    for m in rows.iter().filter_map(|r| r.member.as_ref()) {
        *same_name.entry((m.name.clone(), m.birth_year)).or_insert(0) += 1;
    }

    let first_bad = rows
        .iter()
        .zip(&problems)
        .find(|(_, p)| !p.is_empty())
        .map(|(r, _)| r.line);
    if let Some(bad_line) = first_bad {
        return Err(rows
            .iter()
            .zip(problems)
            .map(|(row, mut p)| {
                if p.is_empty() {
                    p.push(RowProblem::HouseholdRejected {
                        household: household.clone(),
                        line: bad_line,
                    });
                }
                RejectedRow {
                    line: row.line,
                    problems: p,
                }
            })
            .collect());
    }

    let mut iter = rows.into_iter();
    let Some(first) = iter.next() else {
        return Err(Vec::new());
    };
    let Some(building) = first.building.clone() else {
        // Unreachable: a row without a building has a problem.
        return Err(Vec::new());
    };
    let mut members = Vec::new();
    let (unit, floor, room) = (first.unit.clone(), first.floor, first.room.clone());
    for row in std::iter::once(first).chain(iter) {
        if let Some(member) = row.member {
            let shared = same_name
                .get(&(member.name.clone(), member.birth_year))
                .is_some_and(|n| *n > 1);
            let member_id = if shared {
                MemberId::derive_distinct(
                    id,
                    &member.name,
                    member.birth_year,
                    member.gender.map_or("", Gender::as_str),
                    member.relation.as_str(),
                    member.phone.as_deref().unwrap_or(""),
                )
            } else {
                MemberId::derive(id, &member.name, member.birth_year)
            };
            members.push(ImportedMember {
                id: member_id,
                member,
                line: row.line,
            });
        }
    }
    Ok((
        building,
        HouseholdImport {
            id: id.clone(),
            unit,
            floor,
            room,
            members,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "community,compound,building,unit,floor,room,household_id,name,gender,birth_year,phone,relation,tags,notes\n";

    fn parse(body: &str) -> ResidentImport {
        parse_residents(
            format!("{HEADER}{body}").as_bytes(),
            &ImportLimits::up_to(2025),
        )
        .unwrap()
    }

    fn problems(import: &ResidentImport) -> Vec<(u64, Vec<String>)> {
        import
            .rejected
            .iter()
            .map(|r| (r.line, r.problems.iter().map(|p| p.to_string()).collect()))
            .collect()
    }

    #[test]
    fn rows_group_into_buildings_and_households() {
        let import = parse(
            "东湖社区,东湖1区,1栋,1,1,101,h1,王伟,M,1950,182-0804-5346,head,elderly-alone;disabled,需定期走访\n\
             东湖社区,东湖1区,1栋,1,1,101,h1,王芳,F,1952,,spouse,,\n\
             东湖社区,东湖1区,2栋,1,2,201,h2,李强,M,1980,135-0544-8213,head,,\n\
             东湖社区,东湖1区,1栋,2,1,101,h3,张敏,F,1990,,head,renter,\n",
        );
        assert!(import.rejected.is_empty());
        assert_eq!(import.buildings.len(), 2);
        let b1 = &import.buildings[0];
        assert_eq!(b1.building.name, "1栋");
        assert_eq!(
            b1.building.id,
            BuildingId::derive("东湖社区", "东湖1区", "1栋")
        );
        let ids: Vec<_> = b1.households.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["h1", "h3"]);
        let h1 = &b1.households[0];
        assert_eq!(
            (h1.unit.as_str(), h1.floor, h1.room.as_str()),
            ("1", Some(1), "101")
        );
        assert_eq!(h1.members.len(), 2);
        let wang = &h1.members[0];
        assert_eq!(wang.id, MemberId::derive(&h1.id, "王伟", 1950));
        assert_eq!(wang.member.gender, Some(Gender::Male));
        assert_eq!(wang.member.tags.len(), 2);
        assert_eq!(wang.member.note, "需定期走访");
        assert_eq!(h1.members[1].member.phone, None);
    }

    #[test]
    fn every_problem_of_a_row_is_reported() {
        let import = parse("东湖社区,东湖1区,,1,x,101,h1,王伟,Q,19五0,12ab,boss,,\n");
        assert_eq!(
            problems(&import),
            [(
                2,
                vec![
                    "building is empty".to_owned(),
                    "floor \"x\" is not a whole number (or empty)".to_owned(),
                    "birth_year \"19五0\" is not a year".to_owned(),
                    "gender \"Q\" is not M, F, 男 or 女 (or empty)".to_owned(),
                    "phone \"12ab\" is not a phone number: 7 to 15 digits, optionally with -, spaces, parentheses or a leading +".to_owned(),
                    "relation \"boss\" is not one of head, spouse, child, parent, grandchild, other".to_owned(),
                ]
            )]
        );
        assert!(import.buildings.is_empty());
    }

    #[test]
    fn one_bad_row_rejects_its_whole_household_only() {
        let import = parse(
            "东湖社区,东湖1区,1栋,1,1,101,h1,王伟,M,1950,,head,,\n\
             东湖社区,东湖1区,1栋,1,1,101,h1,王芳,F,1850,,spouse,,\n\
             东湖社区,东湖1区,1栋,1,1,102,h2,李强,M,1980,,head,,\n",
        );
        assert_eq!(
            problems(&import),
            [
                (
                    2,
                    vec!["household h1 is not imported because line 3 is rejected".to_owned()]
                ),
                (3, vec!["birth_year 1850 is outside 1900–2025".to_owned()]),
            ]
        );
        let ids: Vec<_> = import.buildings[0]
            .households
            .iter()
            .map(|h| h.id.as_str())
            .collect();
        assert_eq!(ids, ["h2"]);
    }

    #[test]
    fn rows_of_a_household_must_agree_on_its_address() {
        let import = parse(
            "东湖社区,东湖1区,1栋,1,1,101,h1,王伟,M,1950,,head,,\n\
             东湖社区,东湖1区,1栋,1,1,102,h1,王芳,F,1952,,spouse,,\n",
        );
        assert_eq!(
            problems(&import),
            [
                (
                    2,
                    vec!["household h1 is not imported because line 3 is rejected".to_owned()]
                ),
                (
                    3,
                    vec!["household h1: room is \"102\" here but \"101\" on line 2".to_owned()]
                ),
            ]
        );
    }

    #[test]
    fn namesakes_born_the_same_year_get_distinct_ids() {
        // Real rosters have such pairs: two relatives of one name and year.
        let import = parse(
            "幸福社区,幸福2区,17栋,2,1,102,h5,桂志,F,1937,132-0145-6163,head,disabled,\n\
             幸福社区,幸福2区,17栋,2,1,102,h5,桂志,M,1937,156-0380-5477,parent,renter,\n",
        );
        assert!(import.rejected.is_empty());
        let members = &import.buildings[0].households[0].members;
        assert_eq!(members.len(), 2);
        assert_ne!(members[0].id, members[1].id);
        assert_ne!(
            members[0].id,
            MemberId::derive(&HouseholdId::new("h5").unwrap(), "桂志", 1937)
        );
    }

    #[test]
    fn the_same_person_twice_rejects_the_household() {
        let import = parse(
            "东湖社区,东湖1区,1栋,1,1,101,h1,王伟,M,1950,,head,,\n\
             东湖社区,东湖1区,1栋,1,1,101,h1,王伟,M,1950,,head,renter,\n",
        );
        assert_eq!(
            problems(&import)[1],
            (
                3,
                vec!["household h1: 王伟 born 1950, with the same gender, relation and phone, is already on line 2".to_owned()]
            )
        );
        assert!(import.buildings.is_empty());
    }

    #[test]
    fn missing_household_id_is_derived_from_the_address() {
        let import = parse(
            "东湖社区,东湖1区,1栋,1,3,301,,王伟,M,1950,,head,,\n\
             东湖社区,东湖1区,1栋,1,3,301,,王芳,F,1952,,spouse,,\n",
        );
        let b = &import.buildings[0];
        assert_eq!(b.households.len(), 1);
        assert_eq!(
            b.households[0].id,
            HouseholdId::derive(&b.building.id, "1", Some(3), "301")
        );
    }

    #[test]
    fn chinese_words_and_a_short_row_are_handled() {
        let import = parse(
            "东湖社区,东湖1区,1栋,1,1,101,h1,王伟,男,1950,,户主,,\n\
             东湖社区,东湖1区,1栋,1,1,101,h2,王芳\n",
        );
        let h1 = &import.buildings[0].households[0];
        assert_eq!(h1.members[0].member.relation, Relation::Head);
        assert_eq!(import.rejected.len(), 1);
        assert!(
            import.rejected[0].problems[0]
                .to_string()
                .starts_with("unreadable row: 8 fields")
        );
    }

    #[test]
    fn a_missing_required_column_fails_the_file() {
        let err =
            parse_residents(b"community,building,name\n", &ImportLimits::up_to(2025)).unwrap_err();
        assert!(matches!(
            err,
            ImportError::MissingColumn { column: "room", .. }
        ));
    }
}
