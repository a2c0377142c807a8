//! `linli-relay directory set`.

use linli_server::admin;

/// Set the street's directory document. A running relay follows it within
/// a second (unless it was started with `--directory`, which wins).
#[derive(Debug, clap::Args)]
pub struct Args {
    url: String,
}

pub fn run(config: &linli_server::Config, args: Args) -> anyhow::Result<()> {
    let id = linli_protocol::DocumentId::parse_id_or_url(&args.url)
        .map_err(|e| admin::AdminError::BadDocument(e.to_string()))?;
    super::with_storage(config, async |s| Ok(s.set_directory(id).await?))?;
    eprintln!("directory set to automerge:{id}; a running relay applies it within a second");
    Ok(())
}
