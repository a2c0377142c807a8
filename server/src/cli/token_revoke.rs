//! `linli-relay token revoke`.

use linli_server::admin;

/// Revoke a token; its live connections close within a second.
#[derive(Debug, clap::Args)]
pub struct Args {
    name: String,
}

pub fn run(config: &linli_server::Config, args: Args) -> anyhow::Result<()> {
    super::with_storage(config, async |s| {
        Ok(admin::revoke_token_in(s, &args.name, linli_server::wall_clock_millis()).await?)
    })?;
    eprintln!("token {:?} revoked", args.name);
    Ok(())
}
