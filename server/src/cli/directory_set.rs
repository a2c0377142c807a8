//! `linli-relay directory set`.

use linli_server::admin;

/// Set the street's directory document. A running relay follows it within
/// a second (unless it was started with `--directory`, which wins).
#[derive(Debug, clap::Args)]
pub struct Args {
    url: String,
}

pub fn run(config: &linli_server::Config, args: Args) -> anyhow::Result<()> {
    let mut store = super::open_store(config)?;
    let id = admin::set_directory(&mut store, &args.url)?;
    eprintln!("directory set to automerge:{id}; a running relay applies it within a second");
    Ok(())
}
