//! CSV export in the same format import reads, so that
//! import → export → import gives identical records.
//!
//! Order: buildings (teams) as given; households by id; within a household,
//! the head first, then by relation, birth year, name and id; volunteers by
//! id. Sets are written sorted, `;`-joined. Household tags, household notes
//! and visits have no column in the format and are not exported, nor are
//! households without members (the format has one row per resident).
//!
//! `tasks.csv` ([`export_tasks`]) is for reading only: one row per task
//! with its folded state; there is no task import.

use crate::building::Building;
use crate::import_csv::{RESIDENT_COLUMNS, VOLUNTEER_COLUMNS};
use crate::task_board::TaskBoard;
use crate::team::Team;

/// The CSV could not be written.
#[derive(Debug, thiserror::Error)]
#[error("writing CSV: {0}")]
pub struct ExportError(String);

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<String, ExportError> {
    let bytes = w.into_inner().map_err(|e| ExportError(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ExportError(e.to_string()))
}

fn join(set: &std::collections::BTreeSet<String>) -> String {
    set.iter().map(String::as_str).collect::<Vec<_>>().join(";")
}

/// `residents.csv` for `buildings`.
pub fn export_residents<'a>(
    buildings: impl IntoIterator<Item = &'a Building>,
) -> Result<String, ExportError> {
    let mut w = writer();
    let err = |e: csv::Error| ExportError(e.to_string());
    w.write_record(RESIDENT_COLUMNS).map_err(err)?;
    for b in buildings {
        for (hid, hh) in &b.households {
            let mut members: Vec<_> = hh.members.iter().collect();
            members.sort_by(|(ia, a), (ib, b)| {
                (a.relation, a.birth_year, &a.name, ia).cmp(&(
                    b.relation,
                    b.birth_year,
                    &b.name,
                    ib,
                ))
            });
            let floor = hh.fields.floor.map(|f| f.to_string()).unwrap_or_default();
            for (_, m) in members {
                let year = m.birth_year.to_string();
                let tags = join(&m.tags);
                w.write_record([
                    b.building.community.as_str(),
                    &b.building.compound,
                    &b.building.name,
                    &hh.fields.unit,
                    &floor,
                    &hh.fields.room,
                    hid.as_str(),
                    &m.name,
                    m.gender.map_or("", |g| g.as_str()),
                    &year,
                    m.phone.as_deref().unwrap_or(""),
                    m.relation.as_str(),
                    &tags,
                    &m.note,
                ])
                .map_err(err)?;
            }
        }
    }
    finish(w)
}

/// `volunteers.csv` for `teams`.
pub fn export_volunteers<'a>(
    teams: impl IntoIterator<Item = &'a Team>,
) -> Result<String, ExportError> {
    let mut w = writer();
    let err = |e: csv::Error| ExportError(e.to_string());
    w.write_record(VOLUNTEER_COLUMNS).map_err(err)?;
    for t in teams {
        for (id, v) in &t.volunteers {
            let skills = join(&v.skills);
            w.write_record([
                id.as_str(),
                &t.team.name,
                &v.name,
                &v.phone,
                v.affiliation.as_str(),
                &skills,
                v.availability.as_str(),
            ])
            .map_err(err)?;
        }
    }
    finish(w)
}

/// The columns of `tasks.csv`.
pub const TASK_COLUMNS: &[&str] = &[
    "board",
    "community",
    "period",
    "task_id",
    "kind",
    "title",
    "building",
    "household",
    "created_by",
    "created_at",
    "deadline",
    "status",
    "assignee",
    "done_at",
    "stars",
    "feedback",
];

/// `tasks.csv` for `boards`: boards as given, tasks by id; times in ms
/// since the epoch.
pub fn export_tasks<'a>(
    boards: impl IntoIterator<Item = &'a TaskBoard>,
) -> Result<String, ExportError> {
    let mut w = writer();
    let err = |e: csv::Error| ExportError(e.to_string());
    w.write_record(TASK_COLUMNS).map_err(err)?;
    let opt = |v: Option<i64>| v.map_or(String::new(), |v| v.to_string());
    for b in boards {
        let board_id = b.board.id();
        for (id, t) in &b.tasks {
            let s = t.state();
            w.write_record([
                board_id.as_str(),
                b.board.community.as_str(),
                &b.board.period,
                id.as_str(),
                &t.kind,
                &t.title,
                t.building.as_str(),
                t.household.as_ref().map_or("", |h| h.as_str()),
                t.created_by.as_str(),
                &t.created_at.to_string(),
                &opt(t.deadline),
                s.status.as_str(),
                s.assignee.as_ref().map_or("", |a| a.as_str()),
                &opt(s.done_at),
                &s.rating
                    .as_ref()
                    .map_or(String::new(), |r| r.stars.to_string()),
                s.rating.as_ref().map_or("", |r| r.feedback.as_str()),
            ])
            .map_err(err)?;
        }
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import_csv::{ImportLimits, apply_building_import, parse_residents};
    use automerge::AutoCommit;

    #[test]
    fn head_comes_first_and_awkward_text_is_quoted() {
        let csv = "community,compound,building,unit,floor,room,household_id,name,gender,birth_year,phone,relation,tags,notes\n\
            东湖社区,,1栋,,,101,h1,\"王, 芳\",F,1952,,spouse,b;a,\"说 \"\"你好\"\"\"\n\
            东湖社区,,1栋,,,101,h1,王伟,,1950,,head,,\n";
        let import = parse_residents(csv.as_bytes(), &ImportLimits::up_to(2025)).unwrap();
        let mut doc = AutoCommit::new();
        apply_building_import(&mut doc, &import.buildings[0]).unwrap();
        let b = Building::load(&doc).unwrap();
        let out = export_residents([&b]).unwrap();
        let lines: Vec<_> = out.lines().collect();
        assert_eq!(lines[1], "东湖社区,,1栋,,,101,h1,王伟,,1950,,head,,");
        assert_eq!(
            lines[2],
            "东湖社区,,1栋,,,101,h1,\"王, 芳\",F,1952,,spouse,a;b,\"说 \"\"你好\"\"\""
        );
    }
}
