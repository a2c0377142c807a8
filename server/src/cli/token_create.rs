//! `linli-relay token create`.

use linli_server::admin;
use linli_server::auth::Role;

/// Make a token and print it (once).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// street-admin, grid-worker, building-head, volunteer, team-leader or viewer.
    #[arg(long)]
    role: Role,
    /// Comma-separated building:ID, community:ID, team:ID items.
    #[arg(long, default_value = "")]
    scope: String,
    /// A name for the person or device, unique on this relay.
    #[arg(long)]
    name: String,
}

pub fn run(config: &linli_server::Config, args: Args) -> anyhow::Result<()> {
    let mut store = super::open_store(config)?;
    let secret = admin::create_token(
        &mut store,
        &args.name,
        args.role,
        &args.scope,
        linli_server::wall_clock_millis(),
    )?;
    println!("{secret}");
    eprintln!(
        "token {:?} ({}) created; it is shown only this once",
        args.name, args.role
    );
    Ok(())
}
