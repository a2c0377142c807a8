//! What can go wrong reading or writing a record document.

use automerge::AutomergeError;

/// A document does not have the shape this crate expects.
///
/// `path` is the slash-separated location inside the document, e.g.
/// `households/c01-b001-h0001/members/m-1f…/birth_year`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShapeError {
    /// The root has no `kind`: the document is empty or not a linli document.
    #[error("the document has no `kind`: it is empty or not a linli record document")]
    NoKind,
    /// The root `kind` names another document type.
    #[error("the document is a {found:?}, expected a {expected:?}")]
    WrongKind {
        /// The kind the caller asked for.
        expected: &'static str,
        /// The kind the document says it is.
        found: String,
    },
    /// The document was written by a newer linli.
    #[error(
        "the document has schema {found}, newer than the {supported} this linli reads: update linli"
    )]
    UnsupportedSchema {
        /// `schema` found in the document.
        found: u64,
        /// Highest schema this crate understands.
        supported: u64,
    },
    /// A required field is absent.
    #[error("{path}: missing")]
    Missing {
        /// Where the field should be.
        path: String,
    },
    /// A field holds the wrong type of value.
    #[error("{path}: expected {expected}, found {found}")]
    WrongType {
        /// Where the field is.
        path: String,
        /// What this crate expected there.
        expected: &'static str,
        /// What the document holds.
        found: String,
    },
    /// A field has the right type but a value outside its vocabulary or range.
    #[error("{path}: {problem}")]
    BadValue {
        /// Where the field is.
        path: String,
        /// What is wrong with it.
        problem: String,
    },
    /// automerge refused a read.
    #[error("reading the document: {0}")]
    Automerge(#[from] AutomergeError),
}

/// A write to a record document was refused; nothing was written by the call
/// that failed before the failing step (callers roll back the transaction to
/// discard partial writes of a failed call).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The document (or the part being written) does not have the expected shape.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// automerge refused a write.
    #[error("writing the document: {0}")]
    Automerge(#[from] AutomergeError),
    /// The record the write refers to does not exist.
    #[error("no {what} with id {id:?}")]
    NotFound {
        /// Kind of record, e.g. "household".
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// A record that must be new already exists.
    #[error("a {what} with id {id:?} already exists")]
    AlreadyExists {
        /// Kind of record, e.g. "task".
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// The document belongs to another building, team or board.
    #[error("this document is for {what} {found:?}, not {expected:?}")]
    WrongDocument {
        /// "building", "team" or "task board".
        what: &'static str,
        /// The id the caller meant to write.
        expected: String,
        /// The id the document holds.
        found: String,
    },
    /// A rating outside 1–5 stars.
    #[error("a rating is 1 to 5 stars, got {0}")]
    BadRating(u8),
    /// The write is not allowed in the record's present state (say,
    /// accepting a request every place of which is taken).
    #[error("refused: {0}")]
    Refused(&'static str),
}

/// A string is not usable as an id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} {id:?} is not a valid id: {problem}")]
pub struct IdError {
    /// Which id type, e.g. "HouseholdId".
    pub kind: &'static str,
    /// The rejected text.
    pub id: String,
    /// Why it was rejected.
    pub problem: &'static str,
}
