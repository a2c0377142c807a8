//! `linli-relay directory show`.

use linli_server::admin;

/// Show the street's directory document.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(config: &linli_server::Config, _args: Args) -> anyhow::Result<()> {
    let store = super::open_store(config)?;
    match admin::directory(&store)? {
        Some(id) => println!("automerge:{id}"),
        None => println!("no directory set"),
    }
    Ok(())
}
