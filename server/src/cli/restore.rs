//! `linli-relay restore FILE`.

use std::path::PathBuf;

use anyhow::Context as _;

/// Replace the relay's database with a backup, after checking it. Refused
/// while a relay serves this data folder: stop it first, restore, start it
/// again. Devices then send the relay whatever it lacks since the backup.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A file made by `linli-relay backup`.
    file: PathBuf,
}

pub fn run(config: &linli_server::Config, args: Args) -> anyhow::Result<()> {
    super::sqlite_only(config, "restore")?;
    // Held until the database is replaced, so no relay starts meanwhile.
    let _lock = super::lock_data_folder(config)
        .context("refusing to restore: a relay is serving this data folder; stop it first")?;
    let documents = super::check_database(&args.file)
        .with_context(|| format!("refusing to restore {}", args.file.display()))?;
    let target = config.database_path();
    let tmp = target.with_file_name("relay.sqlite.restoring");
    std::fs::copy(&args.file, &tmp)
        .with_context(|| format!("cannot copy {} into the data folder", args.file.display()))?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot sync {}", tmp.display()))?;
    // The old database's write-ahead log must not be replayed onto the
    // restored one.
    for suffix in ["-wal", "-shm"] {
        let mut side = target.clone().into_os_string();
        side.push(suffix);
        match std::fs::remove_file(&side) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).context("cannot remove the old write-ahead log"),
        }
    }
    std::fs::rename(&tmp, &target)
        .with_context(|| format!("cannot move the backup to {}", target.display()))?;
    super::sync_parent(&target)?;
    eprintln!(
        "restored {} documents from {} into {}",
        documents,
        args.file.display(),
        target.display()
    );
    Ok(())
}
