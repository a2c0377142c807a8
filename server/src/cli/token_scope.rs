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
    super::with_storage(config, async |s| {
        Ok(admin::rescope_token_in(s, &args.name, &args.scope).await?)
    })?;
    eprintln!("token {:?} now has scope {:?}", args.name, args.scope);
    Ok(())
}
