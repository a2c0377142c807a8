//! `residents.csv`: one row per resident, grouped into households,
//! buildings and communities.

use crate::csv_row::push_row;
use crate::names::{given_name, phone};
use crate::preset::Shape;
use crate::rng::Rng;
use crate::words::{
    COMMUNITIES, HOUSEHOLD_SIZE_WEIGHTS, NOTES, OLDER_RELATIONS, SURNAMES, TAGS, YOUNG_RELATIONS,
};

/// The header row, in the column order linli's import and export use.
pub const RESIDENT_COLUMNS: [&str; 14] = [
    "community",
    "compound",
    "building",
    "unit",
    "floor",
    "room",
    "household_id",
    "name",
    "gender",
    "birth_year",
    "phone",
    "relation",
    "tags",
    "notes",
];

/// The file and how many households and residents it holds.
pub(crate) struct Residents {
    pub(crate) csv: String,
    pub(crate) households: u64,
    pub(crate) residents: u64,
}

/// Where a household lives, fixed by its place in the building.
struct Address {
    community: String,
    compound: String,
    building: String,
    unit: u32,
    floor: u32,
    room: String,
    household_id: String,
}

/// One resident's row, as written.
#[derive(PartialEq)]
struct Member {
    name: String,
    gender: &'static str,
    birth_year: u32,
    phone: String,
    relation: &'static str,
    tags: Vec<&'static str>,
    note: &'static str,
}

pub(crate) fn residents(shape: &Shape, rng: &mut Rng) -> Residents {
    let mut csv = String::new();
    push_row(&mut csv, &RESIDENT_COLUMNS);
    let (mut households, mut residents) = (0, 0);
    for c in 0..shape.communities {
        for b in 0..shape.buildings_per_community {
            for h in 0..shape.households_per_building {
                let address = address(shape, c, b, h);
                let members = household(rng);
                households += 1;
                residents += members.len() as u64;
                for m in &members {
                    push_row(
                        &mut csv,
                        &[
                            address.community.as_str(),
                            &address.compound,
                            &address.building,
                            &address.unit.to_string(),
                            &address.floor.to_string(),
                            &address.room,
                            &address.household_id,
                            &m.name,
                            m.gender,
                            &m.birth_year.to_string(),
                            &m.phone,
                            m.relation,
                            &m.tags.join(";"),
                            m.note,
                        ],
                    );
                }
            }
        }
    }
    Residents {
        csv,
        households,
        residents,
    }
}

/// Household `h` of building `b` of community `c` (all 0-based): units of
/// about 20 households, two rooms per floor and unit, ids like
/// `c01-b001-h0001`.
fn address(shape: &Shape, c: u32, b: u32, h: u32) -> Address {
    let stem = COMMUNITIES[c as usize % COMMUNITIES.len()];
    let units = (shape.households_per_building / 20).max(1);
    let floor = (h / units) / 2 + 1;
    Address {
        community: format!("{stem}社区"),
        compound: format!("{stem}{}区", b / 10 + 1),
        building: format!("{}栋", b + 1),
        unit: h % units + 1,
        floor,
        room: format!("{floor}{:02}", (h / units) % 2 + 1),
        household_id: format!("c{:02}-b{:03}-h{:04}", c + 1, b + 1, h + 1),
    }
}

/// The members of one household: the head first, all sharing a surname.
fn household(rng: &mut Rng) -> Vec<Member> {
    let size = rng.weighted(&HOUSEHOLD_SIZE_WEIGHTS) + 1;
    let surname = *rng.pick(SURNAMES);
    let mut members: Vec<Member> = Vec::with_capacity(size);
    for m in 0..size {
        let birth_year = if m == 0 {
            rng.between(1935, 2000)
        } else {
            rng.between(1935, 2023)
        };
        let relation = if m == 0 {
            "head"
        } else if birth_year > 2000 {
            *rng.pick(YOUNG_RELATIONS)
        } else {
            *rng.pick(OLDER_RELATIONS)
        };
        let mut tags: Vec<&'static str> = TAGS
            .iter()
            .filter(|(_, per_mille)| rng.chance(*per_mille))
            .map(|(tag, _)| *tag)
            .collect();
        if size == 1 && birth_year < 1960 && !tags.contains(&"elderly-alone") {
            tags.push("elderly-alone");
        }
        let note = *rng.pick(NOTES);
        let gender = *rng.pick(&["F", "M"]);
        let phone = if m == 0 || rng.chance(500) {
            phone(rng)
        } else {
            String::new()
        };
        let mut member = Member {
            name: String::new(),
            gender,
            birth_year,
            phone,
            relation,
            tags,
            note,
        };
        // Namesakes born the same year happen (the import tells them
        // apart), but the same person twice would be rejected: draw again.
        loop {
            member.name = surname.to_owned() + &given_name(rng);
            if !members.iter().any(|o| same_person(o, &member)) {
                break;
            }
        }
        members.push(member);
    }
    members
}

/// What linli's import treats as the same person listed twice.
fn same_person(a: &Member, b: &Member) -> bool {
    (
        a.name.as_str(),
        a.birth_year,
        a.gender,
        a.relation,
        a.phone.as_str(),
    ) == (
        b.name.as_str(),
        b.birth_year,
        b.gender,
        b.relation,
        b.phone.as_str(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::Preset;

    #[test]
    fn addresses_follow_units_floors_and_rooms() {
        let shape = Preset::Street.shape();
        let a = address(&shape, 0, 0, 0);
        assert_eq!(
            (
                a.community.as_str(),
                a.compound.as_str(),
                a.building.as_str()
            ),
            ("东湖社区", "东湖1区", "1栋")
        );
        assert_eq!((a.unit, a.floor, a.room.as_str()), (1, 1, "101"));
        assert_eq!(a.household_id, "c01-b001-h0001");
        // 60 households, 3 units: the 8th is unit 2, second room of floor 2.
        let a = address(&shape, 0, 0, 7);
        assert_eq!((a.unit, a.floor, a.room.as_str()), (2, 2, "201"));
        let a = address(&shape, 5, 16, 4);
        assert_eq!(
            (a.compound.as_str(), a.building.as_str(), a.room.as_str()),
            ("幸福2区", "17栋", "102")
        );
        assert_eq!(a.household_id, "c06-b017-h0005");
    }

    #[test]
    fn a_household_has_one_head_first_and_no_person_twice() {
        let mut rng = Rng::new(9, 0);
        for _ in 0..2000 {
            let members = household(&mut rng);
            assert!((1..=5).contains(&members.len()));
            assert_eq!(members[0].relation, "head");
            assert!(!members[0].phone.is_empty());
            assert!(members[1..].iter().all(|m| m.relation != "head"));
            for (i, a) in members.iter().enumerate() {
                assert!(!members[..i].iter().any(|b| same_person(a, b)));
            }
        }
    }
}
