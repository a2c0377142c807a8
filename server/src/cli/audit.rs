//! `linli-relay audit`.

use linli_server::admin;

/// Show who stored which change of a document, and when.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The document's automerge URL or id.
    #[arg(long)]
    doc: String,
    /// Only entries at or after this time (milliseconds since the epoch).
    #[arg(long, default_value_t = 0)]
    since: i64,
}

pub fn run(config: &linli_server::Config, args: Args) -> anyhow::Result<()> {
    let store = super::open_store(config)?;
    for e in admin::audit(&store, &args.doc, args.since)? {
        println!("{}\t{}\t{}", e.at, e.token_name, e.change_hash);
    }
    Ok(())
}
