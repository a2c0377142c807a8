//! The project's street generator (linli-gen) writes what linli imports:
//! every preset imports with no rejected row, and its files have the layout
//! of a real street office's spreadsheet (the fixtures).

use std::collections::BTreeMap;

use linli_gen::{DEFAULT_SEED, Preset, generate};
use linli_records::import_csv::{ImportLimits, parse_residents, parse_volunteers};

const RESIDENTS: &[u8] = include_bytes!("../fixtures/residents.csv");
const VOLUNTEERS: &[u8] = include_bytes!("../fixtures/volunteers.csv");

#[test]
fn every_preset_imports_with_no_rejected_row() {
    for preset in Preset::ALL {
        let shape = preset.shape();
        let street = generate(shape, DEFAULT_SEED);
        let import = parse_residents(street.residents_csv.as_bytes(), &ImportLimits::up_to(2026))
            .unwrap_or_else(|e| panic!("{preset}: {e}"));
        assert!(
            import.rejected.is_empty(),
            "{preset}: {:?}",
            &import.rejected[..3.min(import.rejected.len())]
        );
        assert_eq!(import.buildings.len() as u64, shape.buildings(), "{preset}");
        let households: usize = import.buildings.iter().map(|b| b.households.len()).sum();
        assert_eq!(households as u64, shape.households(), "{preset}");
        let members: usize = import
            .buildings
            .iter()
            .flat_map(|b| &b.households)
            .map(|h| h.members.len())
            .sum();
        assert_eq!(members as u64, street.residents, "{preset}");

        let teams = parse_volunteers(street.volunteers_csv.as_bytes())
            .unwrap_or_else(|e| panic!("{preset}: {e}"));
        assert!(teams.rejected.is_empty(), "{preset}: {:?}", teams.rejected);
        assert_eq!(teams.teams.len(), 6, "{preset}");
        let volunteers: usize = teams.teams.iter().map(|t| t.volunteers.len()).sum();
        assert_eq!(volunteers as u64, street.volunteers, "{preset}");
    }
}

#[test]
fn a_generated_building_has_the_layout_of_the_sample_spreadsheet() {
    let street = generate(Preset::Building.shape(), DEFAULT_SEED);
    let header = |csv: &[u8]| csv.split(|b| *b == b'\n').next().map(<[u8]>::to_vec);
    assert_eq!(header(street.residents_csv.as_bytes()), header(RESIDENTS));
    assert_eq!(header(street.volunteers_csv.as_bytes()), header(VOLUNTEERS));
    // Line ends as spreadsheet programs write them.
    assert_eq!(
        street.residents_csv.matches("\r\n").count(),
        street.residents_csv.matches('\n').count()
    );

    // Every household sits at the same address: community, compound,
    // building, unit, floor and room follow from its place in the building.
    assert_eq!(
        addresses(street.residents_csv.as_bytes()),
        addresses(RESIDENTS)
    );
    // Volunteers have the same ids in the same teams.
    assert_eq!(
        columns(street.volunteers_csv.as_bytes(), &[0, 1]),
        columns(VOLUNTEERS, &[0, 1])
    );
}

/// household_id → (community, compound, building, unit, floor, room).
fn addresses(csv: &[u8]) -> BTreeMap<String, Vec<String>> {
    columns(csv, &[6, 0, 1, 2, 3, 4, 5])
        .into_iter()
        .map(|mut row| (row.remove(0), row))
        .collect()
}

/// The given columns of every row, without repeats.
fn columns(csv: &[u8], which: &[usize]) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = csv::Reader::from_reader(csv)
        .records()
        .map(|r| {
            let r = r.unwrap();
            which.iter().map(|&i| r[i].to_owned()).collect()
        })
        .collect();
    rows.dedup();
    rows
}
