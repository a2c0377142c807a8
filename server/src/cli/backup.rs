//! `linli-relay backup --to FILE`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// Copy the relay's database to FILE while it serves: one consistent moment
/// (devices keep editing meanwhile), synced to disk, checked (SQLite's
/// integrity check, and every document loads), then renamed into place, so
/// FILE is either the old backup or a whole new one, never half of one.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where the backup goes; replaced if it exists.
    #[arg(long, value_name = "FILE")]
    to: PathBuf,
}

pub fn run(config: &linli_server::Config, args: Args) -> anyhow::Result<()> {
    super::sqlite_only(config, "backup")?;
    let source = config.database_path();
    if !source.exists() {
        anyhow::bail!("no relay database at {}", source.display());
    }
    let tmp = temp_beside(&args.to)?;
    let _ = std::fs::remove_file(&tmp);
    let documents = match copy_checked(config, &tmp) {
        Ok(documents) => documents,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::rename(&tmp, &args.to)
        .with_context(|| format!("cannot move the backup to {}", args.to.display()))?;
    super::sync_parent(&args.to)?;
    eprintln!(
        "backup of {} documents written to {}",
        documents,
        args.to.display()
    );
    Ok(())
}

/// Makes the copy at `tmp` on its own read connection, syncs and checks it.
fn copy_checked(config: &linli_server::Config, tmp: &Path) -> anyhow::Result<usize> {
    {
        let store = super::open_store(config)?;
        store
            .vacuum_into(tmp)
            .with_context(|| format!("cannot copy the database to {}", tmp.display()))?;
    }
    std::fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot sync {}", tmp.display()))?;
    super::check_database(tmp)
}

/// `FILE.tmp` beside FILE, so the final rename stays on one file system.
fn temp_beside(file: &Path) -> anyhow::Result<PathBuf> {
    let name = file
        .file_name()
        .with_context(|| format!("{} is not a file name", file.display()))?;
    let mut tmp = name.to_os_string();
    tmp.push(".tmp");
    Ok(file.with_file_name(tmp))
}
