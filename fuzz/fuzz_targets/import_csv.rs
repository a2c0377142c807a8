//! Any bytes as a residents or volunteers CSV file (what a building head
//! exports from a spreadsheet): parsing never panics, and whatever parses
//! is written to a document and read back as the same records.

#![no_main]

use std::collections::BTreeSet;

use automerge::AutoCommit;
use libfuzzer_sys::fuzz_target;
use linli_records::building::Building;
use linli_records::import_csv::{
    ImportLimits, apply_building_import, apply_team_import, parse_residents, parse_volunteers,
};
use linli_records::team::Team;

fuzz_target!(|data: &[u8]| {
    if let Ok(import) = parse_residents(data, &ImportLimits::up_to(2026)) {
        for b in &import.buildings {
            let mut doc = AutoCommit::new();
            if apply_building_import(&mut doc, b).is_ok() {
                let read = Building::load(&doc).expect("a written building reads back");
                let ids: BTreeSet<_> = b.households.iter().map(|h| &h.id).collect();
                assert!(read.households.keys().eq(ids.into_iter()));
                // Applying the same import again changes nothing.
                let again = apply_building_import(&mut doc, b).expect("re-apply");
                assert_eq!(
                    again.households_created
                        + again.households_updated
                        + again.members_created
                        + again.members_updated,
                    0
                );
            }
        }
    }
    if let Ok(import) = parse_volunteers(data) {
        for t in &import.teams {
            let mut doc = AutoCommit::new();
            if apply_team_import(&mut doc, t).is_ok() {
                let read = Team::load(&doc).expect("a written team reads back");
                let ids: BTreeSet<_> = t.volunteers.iter().map(|v| &v.id).collect();
                assert!(read.volunteers.keys().eq(ids.into_iter()));
            }
        }
    }
});
