//! A whole import, as `linli import` and the office's import page both run
//! it: tell residents from volunteers by the header, parse, then for each
//! building (or team) apply to its document, or create the document and
//! register it in the directory. Whoever holds the documents provides
//! [`ImportDocs`]: the CLI its local store, the relay its live documents.

use automerge::transaction::Transaction;
use serde::Serialize;

use super::{
    ImportError, ImportLimits, RejectedRow, apply_building_import, apply_team_import,
    parse_residents, parse_volunteers,
};
use crate::directory::{self, Directory};
use crate::error::WriteError;
use crate::ids::DocUrl;

/// The street's documents, as whoever runs an import holds them.
pub trait ImportDocs {
    type Error: From<WriteError>;

    /// Applies `edit` to the document at `url`, or to a new empty document
    /// when `url` is `None`, and returns the document's URL and what `edit`
    /// returned. `what` names the document for error messages ("building
    /// 1栋"). Nothing is written when `edit` fails.
    fn edit<R, F>(
        &mut self,
        url: Option<&DocUrl>,
        what: &str,
        edit: F,
    ) -> Result<(DocUrl, R), Self::Error>
    where
        R: Send + 'static,
        F: FnOnce(&mut Transaction<'_>) -> Result<R, WriteError> + Send + 'static;
}

/// An edit registering a new document in the directory.
type Register = dyn FnOnce(&mut Transaction<'_>) -> Result<(), WriteError> + Send;

/// How far an import is: `done` of `total` buildings (or teams), now on `what`.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub what: String,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    /// `residents` or `volunteers`.
    pub kind: &'static str,
    /// Fields and records written (0: the file was already in).
    pub changes: usize,
    /// One line per building or team, for people.
    pub lines: Vec<String>,
    /// Per building or team: which, and its report.
    pub imported: Vec<serde_json::Value>,
    /// Rows not imported, with their line and reasons.
    pub rejected: Vec<RejectedRow>,
}

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError<E> {
    /// The file as a whole cannot be imported (nothing was written).
    #[error("cannot import this file: {0}")]
    File(#[from] ImportError),
    /// Writing a document failed (what was written before stays).
    #[error(transparent)]
    Docs(E),
}

/// Imports `bytes` (residents.csv or volunteers.csv) into the street whose
/// directory is `directory` (read before the import) at `directory_url`.
pub fn run_import<D: ImportDocs>(
    docs: &mut D,
    directory: &Directory,
    directory_url: &DocUrl,
    bytes: &[u8],
    limits: &ImportLimits,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportOutcome, RunError<D::Error>> {
    let header = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let header = String::from_utf8_lossy(header).to_ascii_lowercase();
    let is_volunteers = header.split(',').any(|c| c.trim() == "team");
    let mut out = ImportOutcome {
        kind: if is_volunteers {
            "volunteers"
        } else {
            "residents"
        },
        changes: 0,
        lines: Vec::new(),
        imported: Vec::new(),
        rejected: Vec::new(),
    };
    let register = |docs: &mut D, f: Box<Register>| {
        docs.edit(Some(directory_url), "the street directory", f)
            .map_err(RunError::Docs)
    };
    if is_volunteers {
        let import = parse_volunteers(bytes)?;
        out.rejected = import.rejected;
        let total = import.teams.len();
        for (i, team) in import.teams.into_iter().enumerate() {
            progress(Progress {
                done: i,
                total,
                what: team.team.name.clone(),
            });
            let url = directory
                .teams
                .get(&team.team.id)
                .and_then(|t| t.doc.clone());
            let what = format!("team {}", team.team.name);
            let t = team.clone();
            let (doc, report) = docs
                .edit(url.as_ref(), &what, move |tx| apply_team_import(tx, &t))
                .map_err(RunError::Docs)?;
            if url.is_none() {
                let t = team.team.clone();
                register(
                    docs,
                    Box::new(move |tx| directory::register_team(tx, &t, Some(&doc))),
                )?;
                out.changes += 1;
                out.lines.push(format!(
                    "team {} ({}): new document",
                    team.team.name, team.team.id
                ));
            }
            out.changes += report.created + report.updated;
            out.lines.push(format!(
                "team {}: {} added, {} updated, {} unchanged",
                team.team.name, report.created, report.updated, report.unchanged
            ));
            out.imported
                .push(serde_json::json!({"team": team.team, "report": report}));
        }
        progress(Progress {
            done: total,
            total,
            what: String::new(),
        });
    } else {
        let import = parse_residents(bytes, limits)?;
        out.rejected = import.rejected;
        let total = import.buildings.len();
        for (i, b) in import.buildings.into_iter().enumerate() {
            progress(Progress {
                done: i,
                total,
                what: format!("{} {}", b.building.compound, b.building.name),
            });
            let url = directory
                .buildings
                .get(&b.building.id)
                .and_then(|e| e.doc.clone());
            let what = format!("building {}", b.building.name);
            let import = b.clone();
            let (doc, report) = docs
                .edit(url.as_ref(), &what, move |tx| {
                    apply_building_import(tx, &import)
                })
                .map_err(RunError::Docs)?;
            if url.is_none() {
                let r = b.building.clone();
                register(
                    docs,
                    Box::new(move |tx| directory::register_building(tx, &r, Some(&doc))),
                )?;
                out.changes += 1;
                out.lines.push(format!(
                    "building {} {} {} ({}): new document",
                    b.building.community, b.building.compound, b.building.name, b.building.id
                ));
            }
            out.changes += report.households_created
                + report.households_updated
                + report.members_created
                + report.members_updated;
            out.lines.push(format!(
                "building {}: {} household(s) added, {} updated, {} unchanged; {} member(s) added, {} updated",
                b.building.name,
                report.households_created,
                report.households_updated,
                report.households_unchanged,
                report.members_created,
                report.members_updated
            ));
            out.imported
                .push(serde_json::json!({"building": b.building, "report": report}));
        }
        progress(Progress {
            done: total,
            total,
            what: String::new(),
        });
    }
    Ok(out)
}
