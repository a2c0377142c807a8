//! `linli-relay upstream status`.

use linli_server::upstream::status::{META_KEY, UpstreamStatus};

/// Show the link to the district hub: whether it is up, and per document
/// the street shares up whether the hub has everything of it (the hub's
/// heads cover this relay's). Exits with 2 while any document is behind or
/// the link is down, so scripts can wait on it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the status as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(config: &linli_server::Config, args: Args) -> anyhow::Result<()> {
    let store = super::open_store(config)?;
    let Some(bytes) = store.meta_get(META_KEY)? else {
        println!("no upstream link has run on this relay (start it with --upstream)");
        std::process::exit(2);
    };
    let status: UpstreamStatus = serde_json::from_slice(&bytes)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        print!("{}", status.render());
    }
    if !(status.connected && status.behind() == 0) {
        use std::io::Write;
        std::io::stdout().flush().ok();
        std::process::exit(2);
    }
    Ok(())
}
