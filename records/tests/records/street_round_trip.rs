//! The whole `street` preset of the project's street generator (linli-gen:
//! 7 communities, 210 buildings, 12,600 households) through import → export
//! → import: identical records, and re-applying the re-import changes
//! nothing.

use automerge::AutoCommit;
use linli_gen::{DEFAULT_SEED, Preset, generate};
use linli_records::building::Building;
use linli_records::export_csv::{export_residents, export_volunteers};
use linli_records::import_csv::{
    ImportLimits, apply_building_import, apply_team_import, parse_residents, parse_volunteers,
};
use linli_records::team::Team;

fn generate_street() -> (Vec<u8>, Vec<u8>) {
    let street = generate(Preset::Street.shape(), DEFAULT_SEED);
    (
        street.residents_csv.into_bytes(),
        street.volunteers_csv.into_bytes(),
    )
}

#[test]
fn street_preset_round_trips_through_export_identically() {
    let (residents, volunteers) = generate_street();
    let limits = ImportLimits::up_to(2026);
    let import = parse_residents(&residents, &limits).unwrap();
    assert!(
        import.rejected.is_empty(),
        "{:?}",
        &import.rejected[..3.min(import.rejected.len())]
    );
    assert_eq!(import.buildings.len(), 210);
    let households: usize = import.buildings.iter().map(|b| b.households.len()).sum();
    assert_eq!(households, 12_600);

    let mut docs: Vec<AutoCommit> = import
        .buildings
        .iter()
        .map(|b| {
            let mut doc = AutoCommit::new();
            apply_building_import(&mut doc, b).unwrap();
            doc.commit();
            doc
        })
        .collect();
    let buildings: Vec<Building> = docs.iter().map(|d| Building::load(d).unwrap()).collect();
    let exported = export_residents(&buildings).unwrap();

    let again = parse_residents(exported.as_bytes(), &limits).unwrap();
    assert!(again.rejected.is_empty());
    for (doc, b) in docs.iter_mut().zip(&again.buildings) {
        let heads = doc.get_heads();
        apply_building_import(doc, b).unwrap();
        assert!(
            doc.commit().is_none(),
            "re-import changed {}",
            b.building.name
        );
        assert_eq!(doc.get_heads(), heads);
    }
    let fresh: Vec<Building> = again
        .buildings
        .iter()
        .map(|b| {
            let mut doc = AutoCommit::new();
            apply_building_import(&mut doc, b).unwrap();
            Building::load(&doc).unwrap()
        })
        .collect();
    assert_eq!(
        fresh, buildings,
        "records differ after export and re-import"
    );

    let teams = parse_volunteers(&volunteers).unwrap();
    assert!(teams.rejected.is_empty());
    let team_docs = teams_of(&teams);
    let exported = export_volunteers(&team_docs).unwrap();
    let again = parse_volunteers(exported.as_bytes()).unwrap();
    let again_docs = teams_of(&again);
    assert_eq!(again_docs, team_docs);
}

/// Each imported team applied to a fresh document, read back.
fn teams_of(import: &linli_records::import_csv::VolunteerImport) -> Vec<Team> {
    import
        .teams
        .iter()
        .map(|t| {
            let mut doc = AutoCommit::new();
            apply_team_import(&mut doc, t).unwrap();
            Team::load(&doc).unwrap()
        })
        .collect()
}
