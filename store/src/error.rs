//! The one error type of the store, and its small kind.

use std::path::PathBuf;

use linli_protocol::DocumentId;
use rusqlite::ErrorCode;

/// The failure underneath a [`StoreError`]: the backend's own error
/// (SQLite's, later PostgreSQL's or IndexedDB's), boxed so that no backend's
/// error type is part of this crate's API.
pub type BackendSource = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in a store call.
///
/// Every variant names what failed in words a person can act on. A failed
/// write leaves the database as it was before the call (each write is one
/// transaction). Callers that only need to decide what to do next (answer
/// `doc-unavailable`, tell the user the disk is full, retry) match on
/// [`StoreError::kind`] instead of the variants.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A token with this name already exists (names are never reused).
    #[error("a token named {0:?} already exists")]
    TokenNameTaken(String),
    /// The database file could not be opened, configured or migrated.
    #[error("cannot open store at {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: BackendSource,
    },

    /// The directory that should hold the database could not be created.
    #[error("cannot create directory {} for the store: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A stored chunk of this document does not parse as automerge data.
    /// Other documents are unaffected.
    #[error("stored document {doc} is corrupt: {reason}")]
    Corrupt { doc: DocumentId, reason: String },

    /// Something the call needs is not stored (what, in words).
    #[error("not found: {0}")]
    NotFound(String),

    /// The database was written by a newer linli with a schema this build
    /// does not know; it is left untouched.
    #[error(
        "store schema version {found} is newer than this build of linli supports \
         (up to {supported}); upgrade linli to open it"
    )]
    SchemaTooNew { found: i64, supported: i64 },

    /// SQLite reported SQLITE_FULL: the disk (or the database's size limit)
    /// is full. The failed write was rolled back; earlier writes are intact.
    #[error(
        "the disk is full: the store could not save this change (nothing from it was written; \
         earlier changes are intact); free some disk space and try again"
    )]
    DiskFull,

    /// Any other SQLite failure.
    #[error("SQLite error: {0}")]
    Sqlite(#[source] BackendSource),

    /// Any other failure of a backend that is not SQLite.
    #[error("storage error: {0}")]
    Backend(#[source] BackendSource),
}

/// What kind of failure a [`StoreError`] is: enough for a caller to choose
/// what to do, the same for every backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Something asked for is not stored.
    NotFound,
    /// Stored data of one document does not parse; others are readable.
    Corrupt,
    /// The disk or the store's size limit is full; nothing was written.
    Full,
    /// A name that must be unique is taken.
    AlreadyExists,
    /// The backend itself failed (I/O, a lock, a newer schema, a bug).
    Backend,
}

impl StoreError {
    /// The kind of this failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::NotFound(_) => ErrorKind::NotFound,
            StoreError::Corrupt { .. } => ErrorKind::Corrupt,
            StoreError::DiskFull => ErrorKind::Full,
            StoreError::TokenNameTaken(_) => ErrorKind::AlreadyExists,
            StoreError::Open { .. }
            | StoreError::CreateDir { .. }
            | StoreError::SchemaTooNew { .. }
            | StoreError::Sqlite(_)
            | StoreError::Backend(_) => ErrorKind::Backend,
        }
    }

    /// A backend failure from any error (for backends other than SQLite).
    pub fn backend(source: impl Into<BackendSource>) -> Self {
        StoreError::Backend(source.into())
    }
}

impl From<rusqlite::Error> for StoreError {
    /// Wraps a SQLite error, turning SQLITE_FULL into [`StoreError::DiskFull`].
    fn from(err: rusqlite::Error) -> Self {
        if is_disk_full(&err) {
            StoreError::DiskFull
        } else {
            StoreError::Sqlite(Box::new(err))
        }
    }
}

/// Whether SQLite refused a write because the disk or size limit is full.
pub(crate) fn is_disk_full(err: &rusqlite::Error) -> bool {
    err.sqlite_error_code() == Some(ErrorCode::DiskFull)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_full_becomes_disk_full_and_other_errors_stay_sqlite() {
        let full = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        );
        assert!(matches!(StoreError::from(full), StoreError::DiskFull));
        let other = rusqlite::Error::QueryReturnedNoRows;
        assert!(matches!(StoreError::from(other), StoreError::Sqlite(_)));
    }

    #[test]
    fn corrupt_message_names_the_document() {
        let doc = DocumentId::from_bytes([0; 16]);
        let err = StoreError::Corrupt {
            doc,
            reason: "bad chunk".into(),
        };
        assert_eq!(
            err.to_string(),
            "stored document 11111111111111114Ki9Gx is corrupt: bad chunk"
        );
    }

    #[test]
    fn every_error_has_a_kind_and_sqlite_stays_out_of_the_api() {
        let full = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        );
        assert_eq!(StoreError::from(full).kind(), ErrorKind::Full);
        let other = StoreError::from(rusqlite::Error::QueryReturnedNoRows);
        assert_eq!(other.kind(), ErrorKind::Backend);
        // The SQLite error is still there, as a source, for logs.
        assert!(std::error::Error::source(&other).is_some());
        let corrupt = StoreError::Corrupt {
            doc: DocumentId::from_bytes([1; 16]),
            reason: "x".into(),
        };
        assert_eq!(corrupt.kind(), ErrorKind::Corrupt);
        assert_eq!(StoreError::NotFound("x".into()).kind(), ErrorKind::NotFound);
        assert_eq!(
            StoreError::TokenNameTaken("x".into()).kind(),
            ErrorKind::AlreadyExists
        );
        assert_eq!(StoreError::backend("down").kind(), ErrorKind::Backend);
    }
}
