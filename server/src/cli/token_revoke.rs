//! `linli-relay token revoke`.

use linli_server::admin;

/// Revoke a token; its live connections close within a second.
#[derive(Debug, clap::Args)]
pub struct Args {
    name: String,
}

pub fn run(config: &linli_server::Config, args: Args) -> anyhow::Result<()> {
    let mut store = super::open_store(config)?;
    admin::revoke_token(&mut store, &args.name, linli_server::wall_clock_millis())?;
    eprintln!("token {:?} revoked", args.name);
    Ok(())
}
