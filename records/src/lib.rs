//! linli's record documents: what a street's households, residents,
//! volunteers and service tasks look like inside automerge documents, and
//! the pure logic over them.
//!
//! No I/O lives here — no files, SQLite, sockets, tokio or clock. Every
//! function takes an automerge document (`Automerge`, `AutoCommit`, or a
//! transaction: anything implementing [`automerge::ReadDoc`] or
//! [`automerge::transaction::Transactable`]) plus plain values, and every
//! timestamp is `i64` ms since the epoch passed in by the caller. So the
//! relay (which reads the directory to decide who may read what), the
//! `linli` CLI and the browser field app run the same code: the crate
//! builds for `wasm32-unknown-unknown`, and CI checks that it still does.
//!
//! # Documents
//!
//! Four kinds, one automerge document each, cut along who may see what
//! (shapes in `SHAPES.md` and in each module's doc):
//! - [`directory::Directory`] — one per street: communities, compounds,
//!   buildings, teams and task boards with their document URLs; no
//!   personal data;
//! - [`building::Building`] — households, members and visits; the only
//!   place personal data lives;
//! - [`team::Team`] — volunteers (and the hours logged before hours moved
//!   to the boards);
//! - [`task_board::TaskBoard`] — one community's tasks for one period,
//!   and the service hours volunteers log there ([`hours`]); households by
//!   id only.
//!
//! Each has `load` (reads and checks the whole document, errors name the
//! path: [`ShapeError`]) and write functions (`building::put_member`,
//! `task_board::append_event`, …) that write only what differs, so an
//! unchanged write makes no automerge change and never resolves a conflict
//! behind anyone's back. Every root carries `kind` and `schema`
//! ([`DocKind`], [`SCHEMA_VERSION`]).
//!
//! # The logic
//! - [`json`] converts automerge ⇄ JSON (one converter, for showing
//!   documents, listing conflicts and writing values given as JSON);
//! - [`lookup`] finds a community, building, team, household, task or
//!   volunteer by what a person types (an id or a name);
//! - [`history::history_of`] folds a document's changes into who changed
//!   which fields when, [`author::who_wrote`] says who for people, and
//!   [`dates`] does the calendar arithmetic (UTC days, ms since the epoch);
//! - [`task_fold::fold`] turns a task's append-only events into its
//!   [`task_fold::TaskState`]: status, the single assignee after an offline
//!   claim race, who lost, which events were ignored and why;
//! - [`conflicts::list_conflicts`] / [`conflicts::resolve_conflict`] show and
//!   settle fields two people changed concurrently;
//! - [`hours::log_hours`] / [`hours::remove_hours`] write a volunteer's
//!   service hours on a board, and [`hours::all_hours`] lists them from
//!   boards and old team logs alike;
//! - [`figures::figures`] computes workload, completion, time to close,
//!   deadlines, ratings and service hours from boards and teams;
//! - [`import_csv`] and [`export_csv`] read and write a street office's
//!   `residents.csv` and `volunteers.csv`.
//!
//! # Driving it
//!
//! A caller opens a document, writes through this crate, and commits with
//! the time; the CLI then saves and syncs as usual. Here two volunteers
//! claim the same task offline:
//!
//! ```
//! use automerge::{AutoCommit, transaction::CommitOptions};
//! use linli_records::ids::{BuildingId, CommunityId, PersonId, TaskId, VolunteerId};
//! use linli_records::task_board::{self, NewTask, TaskBoard, TaskBoardRef};
//! use linli_records::task_event::{EventKind, TaskEvent};
//! use linli_records::task_fold::{ClaimOutcome, TaskStatus};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let now = 1_750_000_000_000; // the caller's clock
//! let mut board = AutoCommit::new();
//! task_board::init(&mut board, &TaskBoardRef {
//!     community: CommunityId::derive("东湖社区"),
//!     period: "2025-06".into(),
//! })?;
//! let task = TaskId::new("t-0001")?;
//! task_board::create_task(&mut board, &NewTask {
//!     id: task.clone(),
//!     kind: "errand".into(),
//!     title: "代买药品".into(),
//!     detail: "降压药，周五前".into(),
//!     building: BuildingId::derive("东湖社区", "东湖1区", "1栋"),
//!     household: None,
//!     deadline: Some(now + 3 * 86_400_000),
//! }, &PersonId::new("head-wang")?, now)?;
//! board.commit_with(CommitOptions::default().with_time(now));
//!
//! // Two phones, offline, each claim it.
//! let mut phone_a = board.fork();
//! let mut phone_b = board.fork();
//! let claim = |by: &str, at| -> Result<TaskEvent, Box<dyn std::error::Error>> {
//!     Ok(TaskEvent::new(&task, at, PersonId::new(by)?, EventKind::Claimed, ""))
//! };
//! task_board::append_event(&mut phone_a, &task, &claim("v00007", now + 60_000)?)?;
//! task_board::append_event(&mut phone_b, &task, &claim("v00003", now + 90_000)?)?;
//!
//! // After sync both hold both events, and fold to the same answer.
//! phone_a.merge(&mut phone_b)?;
//! phone_b.merge(&mut phone_a)?;
//! for phone in [&phone_a, &phone_b] {
//!     let state = TaskBoard::load(phone)?.tasks[&task].state();
//!     assert_eq!(state.status, TaskStatus::Claimed);
//!     assert_eq!(state.assignee, Some(VolunteerId::new("v00007")?));
//!     assert_eq!(
//!         state.claim_outcome(&VolunteerId::new("v00003")?),
//!         ClaimOutcome::Lost { assignee: VolunteerId::new("v00007")? },
//!     );
//! }
//! # Ok(())
//! # }
//! ```
//!
//! `linli stats` computes figures on the device, by loading the boards and
//! teams on it and calling [`figures::figures`] (the relay only syncs
//! documents; it never reads records). `linli import` reads a spreadsheet
//! with [`import_csv::parse_residents`], shows the rejected rows, then
//! applies each building's households with
//! [`import_csv::apply_building_import`] in a transaction on that
//! building's document (rolling it back if the call fails) and registers
//! the building with [`directory::register_building`].

pub mod author;
pub mod building;
pub mod conflicts;
pub mod dates;
pub mod directory;
pub mod district;
pub mod error;
pub mod export_csv;
mod fields;
pub mod figures;
pub mod history;
pub mod hours;
pub mod ids;
pub mod import_csv;
pub mod json;
pub mod lookup;
pub mod notices;
pub mod root;
pub mod services;
pub mod summary;
pub mod task_board;
pub mod task_event;
pub mod task_fold;
pub mod team;
pub mod vocab;

pub use error::{IdError, ShapeError, WriteError};
pub use root::{DocKind, SCHEMA_VERSION, detect_kind};
