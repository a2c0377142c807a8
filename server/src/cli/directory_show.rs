//! `linli-relay directory show`.

/// Show the street's directory document.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(config: &linli_server::Config, _args: Args) -> anyhow::Result<()> {
    match super::with_storage(config, async |s| Ok(s.directory().await?))? {
        Some(id) => println!("automerge:{id}"),
        None => println!("no directory set"),
    }
    Ok(())
}
