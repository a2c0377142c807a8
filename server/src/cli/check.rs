//! `linli-relay check`.

use anyhow::Context as _;
use automerge::ReadDoc as _;
use linli_store::Store;

/// Verify the data folder offline, reading only (nothing is migrated or
/// written, so it is safe on a copy or a suspect disk): the schema version
/// is this build's, SQLite's integrity check is ok, every chunk's bytes
/// still hash to the SHA-256 they are stored under, every document loads,
/// and every audit row of a stored document names a change it holds.
/// Exits non-zero naming each damaged document and the check it failed.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(config: &linli_server::Config, _args: Args) -> anyhow::Result<()> {
    super::sqlite_only(config, "check")?;
    let path = config.database_path();
    if !path.is_file() {
        anyhow::bail!("no relay database at {}", path.display());
    }
    let store =
        Store::open_read_only(&path).with_context(|| format!("cannot check {}", path.display()))?;
    let mut damage = Vec::new();
    if let Err(found) = store.integrity_check()? {
        damage.push(format!("integrity check: {found}"));
    }
    for (doc, kind, hash) in store.damaged_chunks()? {
        damage.push(format!(
            "document {doc}: {kind} chunk {hash} does not match its hash"
        ));
    }
    let docs = store.list()?;
    let mut audited = 0;
    for doc in &docs {
        match store.load(doc) {
            Ok(Some(am)) => {
                for entry in store.audit(doc, i64::MIN)? {
                    audited += 1;
                    let held = entry
                        .change_hash
                        .parse::<automerge::ChangeHash>()
                        .ok()
                        .and_then(|h| am.get_change_by_hash(&h));
                    if held.is_none() {
                        damage.push(format!(
                            "document {doc}: audit log names change {} it does not hold",
                            entry.change_hash
                        ));
                    }
                }
            }
            Ok(None) => {}
            Err(e) => damage.push(format!("document {doc}: does not load: {e}")),
        }
    }
    if !damage.is_empty() {
        for line in &damage {
            eprintln!("damaged: {line}");
        }
        anyhow::bail!("{} is damaged ({} problems)", path.display(), damage.len());
    }
    println!(
        "ok: {} documents load, chunk hashes match, {audited} audit rows refer to stored changes, \
         schema version {} (this build's)",
        docs.len(),
        store.schema_version()?
    );
    Ok(())
}
