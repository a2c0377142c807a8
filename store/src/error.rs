//! The one error type of the store.

use std::path::PathBuf;

use linli_protocol::DocumentId;
use rusqlite::ErrorCode;

/// Everything that can go wrong in a [`Store`](crate::Store) call.
///
/// Every variant names what failed in words a person can act on. A failed
/// write leaves the database as it was before the call (each write is one
/// transaction).
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
        source: rusqlite::Error,
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
    Sqlite(#[source] rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    /// Wraps a SQLite error, turning SQLITE_FULL into [`StoreError::DiskFull`].
    fn from(err: rusqlite::Error) -> Self {
        if is_disk_full(&err) {
            StoreError::DiskFull
        } else {
            StoreError::Sqlite(err)
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
}
