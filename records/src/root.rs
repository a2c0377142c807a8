//! The two fields every record document's root carries: `kind` and `schema`.

use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use serde::{Deserialize, Serialize};

use crate::error::{ShapeError, WriteError};
use crate::fields::{self, At};

/// The schema version this crate writes and the highest it reads.
///
/// Readers accept any `schema` up to this one; a document with a higher
/// number was written by a newer linli and is refused with
/// [`ShapeError::UnsupportedSchema`] rather than misread.
pub const SCHEMA_VERSION: u64 = 1;

/// Which record document a document is, from its root `kind` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocKind {
    /// One per street: communities, compounds, buildings, teams, boards.
    Directory,
    /// One per building: households and residents.
    Building,
    /// One per volunteer team: volunteers and service hours.
    Team,
    /// One per community and period: tasks and their events.
    TaskBoard,
    /// One per district hub: its streets and the boards it shares down.
    District,
    /// One per street, written by its relay: counts only, for the hub.
    StreetSummary,
}

impl DocKind {
    /// The text stored in the root `kind` field, e.g. `linli/building`.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Directory => "linli/directory",
            DocKind::Building => "linli/building",
            DocKind::Team => "linli/team",
            DocKind::TaskBoard => "linli/task-board",
            DocKind::District => "linli/district",
            DocKind::StreetSummary => "linli/street-summary",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            DocKind::Directory,
            DocKind::Building,
            DocKind::Team,
            DocKind::TaskBoard,
            DocKind::District,
            DocKind::StreetSummary,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// What kind of record document `doc` is, or `None` for an empty document.
pub fn detect_kind<D: ReadDoc + ?Sized>(doc: &D) -> Result<Option<DocKind>, ShapeError> {
    let root = At::ROOT;
    let Some(kind) = fields::opt_str(doc, &ROOT, "kind", &root.child("kind"))? else {
        return Ok(None);
    };
    DocKind::parse(&kind)
        .map(Some)
        .ok_or(ShapeError::WrongKind {
            expected: "linli record document",
            found: kind,
        })
}

/// Checks that `doc` is a `kind` document with a schema this crate reads;
/// returns its schema version.
pub(crate) fn check<D: ReadDoc + ?Sized>(doc: &D, kind: DocKind) -> Result<u64, ShapeError> {
    let root = At::ROOT;
    let found =
        fields::opt_str(doc, &ROOT, "kind", &root.child("kind"))?.ok_or(ShapeError::NoKind)?;
    if found != kind.as_str() {
        return Err(ShapeError::WrongKind {
            expected: kind.as_str(),
            found,
        });
    }
    let at = root.child("schema");
    let schema = fields::req_i64(doc, &ROOT, "schema", &at)?;
    let schema: u64 = fields::narrow(schema, &at)?;
    if schema > SCHEMA_VERSION {
        return Err(ShapeError::UnsupportedSchema {
            found: schema,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(schema)
}

/// Makes `doc` a `kind` document: writes `kind` and `schema` when the
/// document is empty, checks them otherwise. Returns whether it was empty.
pub(crate) fn init<T: Transactable + ?Sized>(
    tx: &mut T,
    kind: DocKind,
) -> Result<bool, WriteError> {
    match detect_kind(tx)? {
        None => {
            fields::put_str(tx, &ROOT, "kind", kind.as_str())?;
            fields::put_i64(tx, &ROOT, "schema", SCHEMA_VERSION as i64)?;
            Ok(true)
        }
        Some(_) => {
            check(tx, kind)?;
            Ok(false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::AutoCommit;

    #[test]
    fn empty_document_has_no_kind() {
        let doc = AutoCommit::new();
        assert_eq!(detect_kind(&doc).unwrap(), None);
        assert!(matches!(
            check(&doc, DocKind::Building),
            Err(ShapeError::NoKind)
        ));
    }

    #[test]
    fn init_then_check_round_trips() {
        let mut doc = AutoCommit::new();
        assert!(init(&mut doc, DocKind::Team).unwrap());
        assert!(!init(&mut doc, DocKind::Team).unwrap());
        assert_eq!(detect_kind(&doc).unwrap(), Some(DocKind::Team));
        assert_eq!(check(&doc, DocKind::Team).unwrap(), 1);
        assert!(matches!(
            init(&mut doc, DocKind::Building),
            Err(WriteError::Shape(ShapeError::WrongKind { .. }))
        ));
    }

    #[test]
    fn newer_schema_is_refused() {
        let mut doc = AutoCommit::new();
        init(&mut doc, DocKind::Team).unwrap();
        doc.put(&ROOT, "schema", 2_i64).unwrap();
        assert!(matches!(
            check(&doc, DocKind::Team),
            Err(ShapeError::UnsupportedSchema {
                found: 2,
                supported: 1
            })
        ));
    }
}
