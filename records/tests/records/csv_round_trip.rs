//! A sample building's spreadsheet (tests/fixtures) through import →
//! export → import.

use automerge::AutoCommit;
use linli_records::building::Building;
use linli_records::export_csv::{export_residents, export_volunteers};
use linli_records::import_csv::{
    ImportLimits, apply_building_import, apply_team_import, parse_residents, parse_volunteers,
};
use linli_records::team::Team;

const RESIDENTS: &[u8] = include_bytes!("../fixtures/residents.csv");
const VOLUNTEERS: &[u8] = include_bytes!("../fixtures/volunteers.csv");

fn limits() -> ImportLimits {
    ImportLimits::up_to(2025)
}

fn building_docs(csv: &[u8]) -> Vec<AutoCommit> {
    let import = parse_residents(csv, &limits()).unwrap();
    assert!(import.rejected.is_empty(), "{:?}", import.rejected);
    import
        .buildings
        .iter()
        .map(|b| {
            let mut doc = AutoCommit::new();
            apply_building_import(&mut doc, b).unwrap();
            doc.commit();
            doc
        })
        .collect()
}

#[test]
fn sample_building_imports_without_rejections() {
    let import = parse_residents(RESIDENTS, &limits()).unwrap();
    assert!(import.rejected.is_empty());
    assert_eq!(import.buildings.len(), 1);
    let b = &import.buildings[0];
    assert_eq!(b.households.len(), 60);
    let members: usize = b.households.iter().map(|h| h.members.len()).sum();
    assert_eq!(members, 177);
}

#[test]
fn residents_survive_import_export_import_unchanged() {
    let mut first = building_docs(RESIDENTS);
    let buildings: Vec<Building> = first.iter().map(|d| Building::load(d).unwrap()).collect();
    let exported = export_residents(&buildings).unwrap();

    // Importing the export into fresh documents gives the same records…
    let second = building_docs(exported.as_bytes());
    let again: Vec<Building> = second.iter().map(|d| Building::load(d).unwrap()).collect();
    assert_eq!(again, buildings);

    // …and applying it to the original documents changes nothing at all.
    let import = parse_residents(exported.as_bytes(), &limits()).unwrap();
    for (doc, b) in first.iter_mut().zip(&import.buildings) {
        let heads = doc.get_heads();
        let report = apply_building_import(doc, b).unwrap();
        assert_eq!(report.households_unchanged, 60);
        assert!(doc.commit().is_none());
        assert_eq!(doc.get_heads(), heads);
    }

    // Exporting again gives the same bytes.
    assert_eq!(export_residents(&again).unwrap(), exported);
}

#[test]
fn volunteers_survive_import_export_import_unchanged() {
    let import = parse_volunteers(VOLUNTEERS).unwrap();
    assert!(import.rejected.is_empty());
    assert_eq!(import.teams.len(), 6);
    let mut docs: Vec<AutoCommit> = import
        .teams
        .iter()
        .map(|t| {
            let mut doc = AutoCommit::new();
            apply_team_import(&mut doc, t).unwrap();
            doc.commit();
            doc
        })
        .collect();
    let teams: Vec<Team> = docs.iter().map(|d| Team::load(d).unwrap()).collect();
    assert_eq!(teams.iter().map(|t| t.volunteers.len()).sum::<usize>(), 20);
    let exported = export_volunteers(&teams).unwrap();
    let again = parse_volunteers(exported.as_bytes()).unwrap();
    assert!(again.rejected.is_empty());
    for (doc, t) in docs.iter_mut().zip(&again.teams) {
        assert_eq!(t.team, Team::load(doc).unwrap().team);
        apply_team_import(doc, t).unwrap();
        assert!(doc.commit().is_none());
    }
}

#[test]
fn import_works_inside_a_plain_transaction_and_a_repeat_commits_nothing() {
    let import = parse_residents(RESIDENTS, &limits()).unwrap();
    let mut doc = automerge::Automerge::new();
    let mut tx = doc.transaction();
    apply_building_import(&mut tx, &import.buildings[0]).unwrap();
    assert!(tx.commit().0.is_some());
    let mut tx = doc.transaction();
    apply_building_import(&mut tx, &import.buildings[0]).unwrap();
    assert!(tx.commit().0.is_none());
    assert_eq!(Building::load(&doc).unwrap().households.len(), 60);
}
