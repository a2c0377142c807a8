//! CSV import of `residents.csv` and `volunteers.csv` in the format a street
//! office's spreadsheets use, which [`crate::export_csv`] and the project's
//! street generator (linli-gen) write too (UTF-8, header row; a leading BOM,
//! as spreadsheet programs write, is accepted).
//!
//! Import is two steps, so nothing is written until everything is checked:
//!
//! 1. **parse** — [`parse_residents`] / [`parse_volunteers`] turn the bytes
//!    into typed records, grouped by building and household (or by team),
//!    with ids derived from the data, and list every rejected row with its
//!    reasons. A household is accepted whole or not at all: one bad row
//!    rejects all of that household's rows.
//! 2. **apply** — [`apply_building_import`] / [`apply_team_import`] write one
//!    building's (or team's) accepted records into its document, field by
//!    field and only where something differs. Applying the same import again
//!    writes nothing, so the caller's commit makes no change.
//!
//! [`run_import`] does both for a whole file, for the CLI and the relay.
//!
//! Import creates and updates; it never deletes. Residents and volunteers
//! that are in the document but not in the file are reported
//! (`not_in_import`) for a person to decide about.
//!
//! Rules for residents:
//! - columns `community`, `building`, `room`, `name`, `birth_year` and
//!   `relation` are required; `compound`, `unit`, `floor`, `household_id`,
//!   `gender`, `phone`, `tags` and `notes` may be missing (read as empty);
//! - the household id is `household_id`, or when empty one derived from the
//!   building and its unit, floor and room ([`HouseholdId::derive`]);
//! - a member's id is [`MemberId::derive`] (household, name, birth year);
//!   residents of one household who share name and birth year get
//!   [`MemberId::derive_distinct`], which adds gender, relation and phone;
//!   on apply, an existing member of the household with the same name and
//!   birth year is updated whatever its id;
//! - all rows of a household must agree on building, unit, floor and room,
//!   and no two may agree on name, birth year, gender, relation and phone
//!   (the same person twice).
//!
//! Rules for volunteers: columns `team`, `name`, `phone`, `affiliation`
//! and `available` are required, `volunteer_id` and `skills` optional; an
//! empty `volunteer_id` is derived ([`VolunteerId::derive`]); rows sharing a
//! volunteer id are all rejected.
//!
//! [`HouseholdId::derive`]: crate::ids::HouseholdId::derive
//! [`MemberId::derive`]: crate::ids::MemberId::derive
//! [`MemberId::derive_distinct`]: crate::ids::MemberId::derive_distinct
//! [`VolunteerId::derive`]: crate::ids::VolunteerId::derive

mod apply;
mod residents;
mod rows;
mod run;
mod volunteers;

pub use apply::{ApplyReport, TeamApplyReport, apply_building_import, apply_team_import};
pub use residents::{
    BuildingImport, HouseholdImport, ImportedMember, ResidentImport, parse_residents,
};
pub use rows::{ImportError, ImportLimits, RejectedRow, RowProblem};
pub(crate) use rows::{RESIDENT_COLUMNS, VOLUNTEER_COLUMNS};
pub use run::{ImportDocs, ImportOutcome, Progress, RunError, run_import};
pub use volunteers::{ImportedVolunteer, TeamImport, VolunteerImport, parse_volunteers};
