//! The `linli-relay` subcommands, one file each: an `Args` struct whose doc
//! comments are the help text, and `run`.

pub mod audit;
pub mod backup;
pub mod check;
pub mod directory_set;
pub mod directory_show;
pub mod restore;
pub mod serve;
pub mod token_create;
pub mod token_list;
pub mod token_revoke;
pub mod token_scope;
pub mod upstream_status;

use std::fs::File;
use std::path::Path;

use anyhow::Context;
use linli_store::Store;

/// The relay's database, opened directly: admin commands work on it while
/// the relay runs, and the relay notices within a second.
pub fn open_store(config: &linli_server::Config) -> anyhow::Result<Store> {
    let path = config.database_path();
    Store::open_relay(&path).with_context(|| format!("cannot open {}", path.display()))
}

/// Refuses `command` (backup, restore, check) on a relay that stores on
/// PostgreSQL: they read and write the SQLite file in `--data`, which such
/// a relay does not use, so running them would back up, restore or check
/// the wrong thing and look successful.
pub fn sqlite_only(config: &linli_server::Config, command: &str) -> anyhow::Result<()> {
    if config.postgres().map_err(anyhow::Error::msg)?.is_some() {
        anyhow::bail!(
            "`linli-relay {command}` works on a SQLite store only; this relay stores on \
             PostgreSQL (--storage), so back it up and check it with PostgreSQL's own tools \
             (pg_dump, or base backups with WAL archiving) and restore with pg_restore"
        );
    }
    Ok(())
}

/// Runs `f` on the relay's storage as a serving relay opens it: the SQLite
/// file in `--data`, or PostgreSQL with `--storage`. For the admin commands
/// that work on both (tokens, the directory setting).
pub fn with_storage<R>(
    config: &linli_server::Config,
    f: impl AsyncFnOnce(&linli_server::storage::Storage) -> anyhow::Result<R>,
) -> anyhow::Result<R> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let storage = match config.postgres().map_err(anyhow::Error::msg)? {
            Some(url) => linli_server::storage::Storage::open_postgres(url)
                .await
                .context("cannot open the PostgreSQL storage (--storage)")?,
            None => {
                let path = config.database_path();
                linli_server::storage::Storage::open(&path, None)
                    .with_context(|| format!("cannot open {}", path.display()))?
            }
        };
        f(&storage).await
    })
}

/// Takes the data folder's lock file (`relay.lock`), exclusively: a serving
/// relay holds it for its whole life, so `restore` can tell that one runs.
/// The OS drops the lock when the process ends, even on SIGKILL.
pub fn lock_data_folder(config: &linli_server::Config) -> anyhow::Result<File> {
    linli_store::create_private_dir(&config.data)
        .with_context(|| format!("cannot create {}", config.data.display()))?;
    let path = config.data.join("relay.lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another linli-relay holds {} (it serves this data folder)",
            path.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

/// Checks a database file as a backup must be: SQLite's integrity check
/// says ok, and every document in it loads with the store's own loading
/// code. Returns how many documents it holds. Read-only: checking a backup
/// never migrates or writes it (a backup from an older linli stays as it
/// was; the relay migrates it when it starts on it).
pub fn check_database(path: &Path) -> anyhow::Result<usize> {
    if !path.is_file() {
        anyhow::bail!("{} is not a file", path.display());
    }
    let store = Store::open_backup_read_only(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    if let Err(found) = store.integrity_check()? {
        anyhow::bail!("{} is damaged: {found}", path.display());
    }
    let docs = store.list()?;
    for doc in &docs {
        store
            .load(doc)
            .with_context(|| format!("{}: document {doc} does not load", path.display()))?;
    }
    Ok(docs.len())
}

/// Syncs the folder holding `path`, so a rename into it survives power loss.
pub fn sync_parent(path: &Path) -> anyhow::Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    File::open(parent)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync {}", parent.display()))
}
