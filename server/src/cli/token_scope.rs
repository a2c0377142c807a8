//! `linli-relay token scope`.

use linli_server::admin;

/// Change a token's scope; its live connections close within a second
/// and reconnect with the new scope.
#[derive(Debug, clap::Args)]
pub struct Args {
    name: String,
    scope: String,
}

pub fn run(config: &linli_server::Config, args: Args) -> anyhow::Result<()> {
    let mut store = super::open_store(config)?;
    admin::rescope_token(&mut store, &args.name, &args.scope)?;
    eprintln!("token {:?} now has scope {:?}", args.name, args.scope);
    Ok(())
}
