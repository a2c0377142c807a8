//! The [`Store`] handle: opening the SQLite file and configuring it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

use crate::{StoreError, schema};

/// How long a call waits for another connection's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A linli document store: one SQLite file holding automerge documents as
/// chunks, plus store-wide and per-document key/values.
///
/// Reads take `&self`, writes take `&mut self`. Every write is one SQLite
/// transaction, committed with `synchronous=FULL`: when a write returns `Ok`,
/// it survives a crash or power loss.
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the store at `path`, creating the file and any missing parent
    /// directories, and migrating the schema to the current version.
    ///
    /// On unix, directories this call creates are owner-only (0700) and a
    /// database file it creates is owner-only (0600), because the store
    /// holds personal data.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Self::open_as(path, schema::Role::Device)
    }

    /// Opens the store at `path` like [`Store::open`], with the relay's own
    /// tables too: its access tokens and its audit log. A device's store
    /// never has them; a device store opened here gains them.
    pub fn open_relay(path: &Path) -> Result<Store, StoreError> {
        Self::open_as(path, schema::Role::Relay)
    }

    /// Opens an existing store read-only, for checking it: no migration, no
    /// switch to WAL, nothing written. Refuses a schema version this build
    /// does not know, since reading it with today's queries would mislead.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        Self::open_read_only_checked(path, schema::check_current)
    }

    /// Opens a backup read-only to verify it, like [`Store::open_read_only`]
    /// but accepting an older schema too: verifying reads only what every
    /// version stores alike (chunks), and a relay started on the restored
    /// file migrates it. Checking never changes the file. A newer schema is
    /// refused.
    pub fn open_backup_read_only(path: &Path) -> Result<Store, StoreError> {
        Self::open_read_only_checked(path, schema::refuse_newer)
    }

    fn open_read_only_checked(
        path: &Path,
        check: fn(&Connection) -> Result<(), StoreError>,
    ) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| open_err(Box::new(e)))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| open_err(Box::new(e)))?;
        check(&conn)?;
        Ok(Store {
            conn,
            path: path.to_owned(),
        })
    }

    fn open_as(path: &Path, role: schema::Role) -> Result<Store, StoreError> {
        create_parent_dirs(path)?;
        create_private_file(path)?;
        let open_err = |source| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        let mut conn = Connection::open(path).map_err(|e| open_err(Box::new(e)))?;
        // Before anything is configured or written: a newer linli's file
        // is refused exactly as it was found.
        schema::refuse_newer(&conn).map_err(|e| match e {
            StoreError::Sqlite(source) => open_err(source),
            other => other,
        })?;
        configure(&conn).map_err(|e| match StoreError::from(e) {
            StoreError::Sqlite(source) => open_err(source),
            other => other,
        })?;
        schema::migrate(&mut conn, role).map_err(|e| match e {
            StoreError::Sqlite(source) => open_err(source),
            other => other,
        })?;
        tracing::debug!(path = %path.display(), ?role, "store opened");
        Ok(Store {
            conn,
            path: path.to_owned(),
        })
    }

    /// The path this store was opened at.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Caps the database file at `bytes` (rounded up to whole pages, and
    /// never below what it already holds). A write that would pass the cap
    /// fails with [`StoreError::DiskFull`] and changes nothing, exactly as
    /// if the disk were full. Returns the cap in effect, in bytes.
    pub fn limit_size(&mut self, bytes: u64) -> Result<u64, StoreError> {
        let page_size: u64 = self
            .conn
            .pragma_query_value(None, "page_size", |r| r.get::<_, i64>(0))?
            .max(1) as u64;
        let pages = bytes.div_ceil(page_size).clamp(1, i64::MAX as u64) as i64;
        let in_effect: i64 =
            self.conn
                .pragma_update_and_check(None, "max_page_count", pages, |r| r.get(0))?;
        Ok(in_effect.max(0) as u64 * page_size)
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Pragmas every connection needs: WAL for concurrent readers, FULL sync so
/// an acknowledged write survives power loss, a busy timeout, foreign keys.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        // Still durable (synchronous=FULL applies to rollback journals too),
        // only slower; some file systems cannot hold a WAL.
        tracing::warn!(journal_mode = %mode, "store could not switch to WAL mode");
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

fn create_parent_dirs(path: &Path) -> Result<(), StoreError> {
    let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    create_private_dir(parent).map_err(|source| StoreError::CreateDir {
        path: parent.to_owned(),
        source,
    })
}

/// Creates `dir` (and its parents) readable only by its owner, unless it
/// exists already. Used for every folder that holds linli data.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates the database file owner-only if it does not exist yet. SQLite
/// gives its -wal and -shm files the same permissions as the database.
#[cfg(unix)]
fn create_private_file(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::OpenOptionsExt;
    // Fails when the file already exists (fine) or cannot be created, in
    // which case SQLite's own open reports the problem with more context.
    let _created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    Ok(())
}

#[cfg(not(unix))]
fn create_private_file(_path: &Path) -> Result<(), StoreError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_size_limit_refuses_what_does_not_fit_and_keeps_what_does() {
        let (_dir, mut store) = crate::test_util::temp_store();
        let cap = store.limit_size(256 * 1024).unwrap();
        assert_eq!(cap, 256 * 1024);
        let doc = crate::test_util::doc_id(1);
        store.append(&doc, &[1u8; 1000]).unwrap();
        let err = store.append(&doc, &vec![7u8; 1 << 20]).unwrap_err();
        assert!(matches!(err, StoreError::DiskFull), "{err:?}");
        store.append(&doc, &[2u8; 1000]).unwrap();
        assert_eq!(store.stats(&doc).unwrap().chunks, 2);
        // Never below what is already stored.
        assert!(store.limit_size(0).unwrap() > 0);
    }

    #[test]
    fn open_creates_missing_parent_directories_and_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a").join("b").join("store.sqlite");
        let store = Store::open(&path).unwrap();
        assert!(path.is_file());
        assert_eq!(store.path(), path);
    }

    #[cfg(unix)]
    #[test]
    fn created_directories_and_file_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a").join("b").join("store.sqlite");
        drop(Store::open(&path).unwrap());
        for created in [dir.path().join("a"), dir.path().join("a").join("b")] {
            let mode = std::fs::metadata(&created).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{}", created.display());
        }
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn store_uses_wal_full_sync_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("store.sqlite")).unwrap();
        let get = |name: &str| -> String {
            store
                .conn
                .pragma_query_value(None, name, |row| row.get::<_, rusqlite::types::Value>(0))
                .map(|v| format!("{v:?}"))
                .unwrap()
        };
        assert_eq!(get("journal_mode"), "Text(\"wal\")");
        assert_eq!(get("synchronous"), "Integer(2)"); // FULL
        assert_eq!(get("foreign_keys"), "Integer(1)");
    }

    #[test]
    fn a_file_that_is_not_a_database_gives_an_open_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        std::fs::write(&path, vec![0x5a; 4096]).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
        assert!(err.to_string().contains(&path.display().to_string()));
    }

    #[test]
    fn a_parent_that_is_a_file_gives_a_create_dir_error() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, b"x").unwrap();
        let err = Store::open(&blocker.join("sub").join("store.sqlite")).unwrap_err();
        assert!(matches!(err, StoreError::CreateDir { .. }), "{err:?}");
    }
}
