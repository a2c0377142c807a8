//! Writing a parsed import into a building or team document.

use std::collections::BTreeSet;

use automerge::transaction::Transactable;
use serde::Serialize;

use super::residents::{BuildingImport, ImportedMember};
use super::volunteers::TeamImport;
use crate::building::{self, Building, Household, Member};
use crate::error::WriteError;
use crate::ids::{HouseholdId, MemberId, VolunteerId};
use crate::root;
use crate::team::{self, Team};

/// What [`apply_building_import`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApplyReport {
    /// Households that were not in the document.
    pub households_created: usize,
    /// Households in the document that changed.
    pub households_updated: usize,
    /// Households in the document that already matched.
    pub households_unchanged: usize,
    /// Members added.
    pub members_created: usize,
    /// Existing members that changed.
    pub members_updated: usize,
    /// Members of imported households that the file does not list; left in
    /// place for a person to decide about.
    pub members_not_in_import: Vec<(HouseholdId, MemberId)>,
    /// Households in the document that the file does not list; left in place.
    pub households_not_in_import: Vec<HouseholdId>,
}

/// What [`apply_team_import`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TeamApplyReport {
    /// Volunteers added.
    pub created: usize,
    /// Existing volunteers that changed.
    pub updated: usize,
    /// Existing volunteers that already matched.
    pub unchanged: usize,
    /// Volunteers in the document that the file does not list; left in place.
    pub not_in_import: Vec<VolunteerId>,
}

/// Writes one building's accepted households into its building document
/// (an empty document becomes that building's document).
///
/// Household address fields and member fields are written where they
/// differ; household tags, notes and visits, which the CSV does not carry,
/// are left alone, and nothing is deleted. A row updates an existing member
/// of the household with the same name and birth year, whatever its id
/// (preferring the same id, then the same gender and relation); otherwise
/// it adds a member under the row's derived id. Re-applying the same import
/// writes nothing.
///
/// The document is read whole before the first write, so a malformed
/// document fails before anything is written.
pub fn apply_building_import<T: Transactable + ?Sized>(
    tx: &mut T,
    import: &BuildingImport,
) -> Result<ApplyReport, WriteError> {
    let current = match root::detect_kind(tx)? {
        None => None,
        Some(_) => Some(Building::load(tx)?),
    };
    building::init(tx, &import.building)?;
    let mut report = ApplyReport::default();
    let mut imported: BTreeSet<&HouseholdId> = BTreeSet::new();
    for hh in &import.households {
        imported.insert(&hh.id);
        let existing = current.as_ref().and_then(|b| b.households.get(&hh.id));
        let before = tx.pending_ops();
        building::put_household_address(tx, &hh.id, &hh.unit, hh.floor, &hh.room)?;
        let mut matched: BTreeSet<&MemberId> = BTreeSet::new();
        for m in &hh.members {
            let found = existing.and_then(|e| match_member(e, m, &matched));
            let id = match found {
                Some((id, old)) => {
                    matched.insert(id);
                    if *old != m.member {
                        report.members_updated += 1;
                    }
                    id
                }
                None => {
                    report.members_created += 1;
                    &m.id
                }
            };
            building::put_member(tx, &hh.id, id, &m.member)?;
        }
        match existing {
            None => report.households_created += 1,
            Some(e) => {
                if tx.pending_ops() == before {
                    report.households_unchanged += 1;
                } else {
                    report.households_updated += 1;
                }
                report.members_not_in_import.extend(
                    e.members
                        .keys()
                        .filter(|id| !matched.contains(id))
                        .map(|id| (hh.id.clone(), id.clone())),
                );
            }
        }
    }
    if let Some(current) = &current {
        report.households_not_in_import = current
            .households
            .keys()
            .filter(|id| !imported.contains(id))
            .cloned()
            .collect();
    }
    Ok(report)
}

/// The existing member a file row updates: among the unmatched members
/// with the row's name and birth year, the one with the row's id, else one
/// with its gender and relation, else the first by id.
fn match_member<'e>(
    existing: &'e Household,
    row: &ImportedMember,
    matched: &BTreeSet<&MemberId>,
) -> Option<(&'e MemberId, &'e Member)> {
    let candidates: Vec<(&MemberId, &Member)> = existing
        .members
        .iter()
        .filter(|(id, old)| {
            old.name == row.member.name
                && old.birth_year == row.member.birth_year
                && !matched.contains(id)
        })
        .collect();
    candidates
        .iter()
        .find(|(id, _)| **id == row.id)
        .or_else(|| {
            candidates.iter().find(|(_, old)| {
                old.gender == row.member.gender && old.relation == row.member.relation
            })
        })
        .or_else(|| candidates.first())
        .copied()
}

/// Writes one team's accepted volunteers into its team document (an empty
/// document becomes that team's document). Fields are written where they
/// differ; the hours log is untouched and nothing is deleted.
pub fn apply_team_import<T: Transactable + ?Sized>(
    tx: &mut T,
    import: &TeamImport,
) -> Result<TeamApplyReport, WriteError> {
    let current = match root::detect_kind(tx)? {
        None => None,
        Some(_) => Some(Team::load(tx)?),
    };
    team::init(tx, &import.team)?;
    let mut report = TeamApplyReport::default();
    let mut imported: BTreeSet<&VolunteerId> = BTreeSet::new();
    for v in &import.volunteers {
        imported.insert(&v.id);
        match current.as_ref().and_then(|t| t.volunteers.get(&v.id)) {
            None => report.created += 1,
            Some(old) if *old == v.volunteer => report.unchanged += 1,
            Some(_) => report.updated += 1,
        }
        team::put_volunteer(tx, &v.id, &v.volunteer)?;
    }
    if let Some(current) = &current {
        report.not_in_import = current
            .volunteers
            .keys()
            .filter(|id| !imported.contains(id))
            .cloned()
            .collect();
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::building::HouseholdFields;
    use crate::import_csv::{ImportLimits, parse_residents, parse_volunteers};
    use automerge::{AutoCommit, ReadDoc};

    const RESIDENTS: &str = "community,compound,building,unit,floor,room,household_id,name,gender,birth_year,phone,relation,tags,notes\n\
        东湖社区,东湖1区,1栋,1,1,101,h1,王伟,M,1950,182-0804-5346,head,elderly-alone,需定期走访\n\
        东湖社区,东湖1区,1栋,1,1,101,h1,王芳,F,1952,,spouse,,\n\
        东湖社区,东湖1区,1栋,1,1,102,h2,李强,M,1980,135-0544-8213,head,,\n";

    fn building_import(csv: &str) -> BuildingImport {
        let mut import = parse_residents(csv.as_bytes(), &ImportLimits::up_to(2025)).unwrap();
        assert!(import.rejected.is_empty(), "{:?}", import.rejected);
        import.buildings.remove(0)
    }

    #[test]
    fn applying_twice_makes_no_second_change() {
        let import = building_import(RESIDENTS);
        let mut doc = AutoCommit::new();
        let first = apply_building_import(&mut doc, &import).unwrap();
        assert_eq!((first.households_created, first.members_created), (2, 3));
        assert!(doc.commit().is_some());
        let heads = doc.get_heads();
        let second = apply_building_import(&mut doc, &import).unwrap();
        assert_eq!(doc.pending_ops(), 0);
        assert!(doc.commit().is_none());
        assert_eq!(doc.get_heads(), heads);
        assert_eq!(
            (second.households_unchanged, second.members_created),
            (2, 0)
        );
    }

    #[test]
    fn reimport_updates_changed_fields_and_keeps_app_data() {
        let mut doc = AutoCommit::new();
        apply_building_import(&mut doc, &building_import(RESIDENTS)).unwrap();
        let h1 = HouseholdId::new("h1").unwrap();
        // The building head adds household notes and a member with her own id.
        building::put_household(
            &mut doc,
            &h1,
            &HouseholdFields {
                unit: "1".into(),
                floor: Some(1),
                room: "101".into(),
                tags: ["needs-visit".to_owned()].into(),
                notes: "门铃坏了".into(),
            },
        )
        .unwrap();
        let own_id = MemberId::new("m-app-1").unwrap();
        let mut grandchild = Building::load(&doc).unwrap().households[&h1]
            .members
            .values()
            .next()
            .unwrap()
            .clone();
        grandchild.name = "王小明".into();
        grandchild.birth_year = 2015;
        building::put_member(&mut doc, &h1, &own_id, &grandchild).unwrap();
        doc.commit();

        // The spreadsheet now lists the grandchild too, and a new phone for 王芳.
        let csv = RESIDENTS.replace("王芳,F,1952,,", "王芳,F,1952,139-1111-2222,")
            + "东湖社区,东湖1区,1栋,1,1,101,h1,王小明,M,2015,,grandchild,,\n";
        let report = apply_building_import(&mut doc, &building_import(&csv)).unwrap();
        doc.commit();
        assert_eq!(report.members_created, 0);
        assert_eq!(report.members_updated, 2); // 王芳's phone, 王小明's fields
        assert_eq!(
            (report.households_updated, report.households_unchanged),
            (1, 1)
        );
        let b = Building::load(&doc).unwrap();
        let hh = &b.households[&h1];
        assert_eq!(hh.members.len(), 3);
        assert_eq!(
            hh.members[&own_id].relation,
            crate::vocab::Relation::Grandchild
        );
        assert_eq!(hh.fields.notes, "门铃坏了");
        assert!(hh.fields.tags.contains("needs-visit"));
    }

    #[test]
    fn namesakes_keep_their_records_whatever_the_row_order() {
        let header = RESIDENTS.lines().next().unwrap();
        let a = "幸福社区,幸福2区,17栋,2,1,102,h5,桂志,F,1937,132-0145-6163,other,disabled,";
        let b = "幸福社区,幸福2区,17栋,2,1,102,h5,桂志,M,1937,156-0380-5477,other,renter,";
        let mut doc = AutoCommit::new();
        apply_building_import(&mut doc, &building_import(&format!("{header}\n{a}\n{b}\n")))
            .unwrap();
        doc.commit();
        let before = Building::load(&doc).unwrap();
        let exported = crate::export_csv::export_residents([&before]).unwrap();
        for csv in [format!("{header}\n{b}\n{a}\n"), exported] {
            let report = apply_building_import(&mut doc, &building_import(&csv)).unwrap();
            assert_eq!(report.households_unchanged, 1);
            assert!(doc.commit().is_none());
        }
        assert_eq!(Building::load(&doc).unwrap(), before);
    }

    #[test]
    fn members_and_households_missing_from_the_file_are_reported_not_deleted() {
        let mut doc = AutoCommit::new();
        apply_building_import(&mut doc, &building_import(RESIDENTS)).unwrap();
        doc.commit();
        let fewer: String = RESIDENTS
            .lines()
            .take(2)
            .map(|l| format!("{l}\n"))
            .collect();
        let report = apply_building_import(&mut doc, &building_import(&fewer)).unwrap();
        assert_eq!(
            report.households_not_in_import,
            [HouseholdId::new("h2").unwrap()]
        );
        assert_eq!(report.members_not_in_import.len(), 1);
        assert!(doc.commit().is_none());
        assert_eq!(Building::load(&doc).unwrap().households.len(), 2);
    }

    #[test]
    fn a_malformed_document_fails_before_any_write() {
        let mut doc = AutoCommit::new();
        apply_building_import(&mut doc, &building_import(RESIDENTS)).unwrap();
        let hh = doc.get(&automerge::ROOT, "households").unwrap().unwrap().1;
        doc.put(&hh, "h9", "not a map").unwrap();
        doc.commit();
        assert!(apply_building_import(&mut doc, &building_import(RESIDENTS)).is_err());
        assert_eq!(doc.pending_ops(), 0);
    }

    #[test]
    fn importing_into_another_buildings_document_is_refused() {
        let mut doc = AutoCommit::new();
        apply_building_import(&mut doc, &building_import(RESIDENTS)).unwrap();
        doc.commit();
        let other = RESIDENTS.replace("1栋", "9栋");
        assert!(matches!(
            apply_building_import(&mut doc, &building_import(&other)),
            Err(WriteError::WrongDocument { .. })
        ));
    }

    #[test]
    fn team_import_is_idempotent_and_keeps_hours() {
        let csv = "volunteer_id,team,name,phone,affiliation,skills,available\n\
            v1,队,甲,184-0127-5098,student,cooking,any\n\
            v2,队,乙,184-0127-5099,company,,weekends\n";
        let import = parse_volunteers(csv.as_bytes()).unwrap().teams.remove(0);
        let mut doc = AutoCommit::new();
        let r = apply_team_import(&mut doc, &import).unwrap();
        assert_eq!(r.created, 2);
        let v1 = VolunteerId::new("v1").unwrap();
        let entry = crate::team::HoursEntry {
            volunteer: v1.clone(),
            start: 1,
            minutes: 60,
            community: None,
            task: None,
            note: String::new(),
        };
        team::put_hours(&mut doc, &crate::ids::HoursEntryId::derive(&v1, 1), &entry).unwrap();
        doc.commit();
        let r = apply_team_import(&mut doc, &import).unwrap();
        assert_eq!(r.unchanged, 2);
        assert!(doc.commit().is_none());
        let changed = parse_volunteers(csv.replace("cooking", "cooking;driving").as_bytes())
            .unwrap()
            .teams
            .remove(0);
        let r = apply_team_import(&mut doc, &changed).unwrap();
        assert_eq!((r.updated, r.unchanged), (1, 1));
        assert_eq!(doc.pending_ops(), 1);
        doc.commit();
        assert_eq!(Team::load(&doc).unwrap().hours.len(), 1);
    }
}
