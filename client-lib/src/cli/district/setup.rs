//! `linli district init|use|add-street`: the district directory itself
//! and the streets it lists.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use linli_client::{Client, DocumentId};
use linli_records::district::{self, District, StreetEntry};
use linli_records::ids::DocUrl;

use super::{street_id, writable, write_err};
use crate::cli::Context;
use crate::cli::lookup::edit_err;

/// Create the district directory on this device (district admin) and
/// remember it; prints its URL. The hub's operator then names it with
/// `linli-relay directory set URL` on the hub, and `linli sync` sends it.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The district's name, e.g. 东湖区.
    name: String,
}

/// Remember an existing district directory and, when a relay (the hub) is
/// configured, fetch it with the boards it shares down and the streets'
/// directories.
#[derive(Debug, clap::Args)]
pub struct UseArgs {
    /// The district directory's automerge URL.
    url: String,
    /// Seconds to wait for the hub.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    timeout: u64,
}

/// List a street that feeds the hub (or rename it, or name its directory).
#[derive(Debug, clap::Args)]
pub struct AddStreetArgs {
    /// The street's id: the `street:ID` of its relay's token on the hub.
    id: String,
    /// Its name, e.g. 西湖街道.
    #[arg(long)]
    name: String,
    /// The street's directory URL (what its admin's `linli street init`
    /// printed): the hub indexes what the street shares up by it.
    #[arg(long, value_name = "URL")]
    directory: Option<String>,
}

pub fn init(_ctx: &Context, client: &Client, args: InitArgs) -> anyhow::Result<ExitCode> {
    if let Some(existing) = client.district_id()? {
        bail!(
            "this device already uses the district directory {}; use another --dir for \
             another district",
            existing.url()
        );
    }
    let name = args.name.trim();
    if name.is_empty() {
        bail!("the district needs a name");
    }
    let (doc, ()) = client.create_with(|tx| district::init(tx, name).map_err(edit_err))?;
    client.set_district_id(doc)?;
    println!("{}", doc.url());
    Ok(ExitCode::SUCCESS)
}

pub fn use_existing(ctx: &Context, client: &Client, args: UseArgs) -> anyhow::Result<ExitCode> {
    let doc = DocumentId::parse_id_or_url(args.url.trim()).context("not a document URL")?;
    let Some(relay) = ctx.relay(client)? else {
        bail!("no relay on this device: run `linli init --relay wss://HUB/sync --token T` first");
    };
    let runtime = ctx.runtime()?;
    let timeout = Duration::from_secs(args.timeout);
    runtime.block_on(client.fetch(relay.clone(), doc, timeout))?;
    let loaded = client.read(doc, District::load)?;
    let district = match loaded {
        Ok(d) => d,
        Err(e) => {
            client.unwant(doc)?;
            bail!("{} is not a district directory: {e}", doc.url());
        }
    };
    client.set_district_id(doc)?;
    let hub = client.district()?;
    if client.want_district_documents(&hub)? > 0 {
        // Streets not linked yet have not shared their directories up:
        // the next `linli sync` fetches what has arrived by then.
        if let Err(e) = runtime.block_on(client.sync_until_idle(relay, timeout)) {
            eprintln!("not everything the district lists is on the hub yet: {e}");
        }
    }
    println!(
        "district:  {} ({} street(s), {} board(s) shared down)",
        district.district,
        district.streets.len(),
        district.shared.len()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn add_street(client: &Client, args: AddStreetArgs) -> anyhow::Result<ExitCode> {
    let hub = writable(client)?;
    let id = street_id(&args.id)?;
    let name = args.name.trim();
    if name.is_empty() {
        bail!("--name: the street needs a name");
    }
    let directory = match args.directory.as_deref().map(str::trim) {
        None => hub
            .district
            .streets
            .get(&id)
            .and_then(|s| s.directory.clone()),
        Some(text) => {
            let doc = DocumentId::parse_id_or_url(text)
                .with_context(|| format!("--directory {text:?} is not a document URL"))?;
            let url = DocUrl::new(doc.url())?;
            if let Some(other) = hub.district.street_with_directory(&url)
                && other != id
            {
                bail!("street {other} already has the directory {}", url.as_str());
            }
            Some(url)
        }
    };
    let entry = StreetEntry {
        name: name.to_owned(),
        directory,
    };
    client
        .change(hub.doc, |tx| {
            district::put_street(tx, &id, &entry).map_err(edit_err)
        })
        .map_err(write_err)?;
    if let Some(url) = &entry.directory {
        client.want(linli_client::records::doc_id(url)?)?;
    }
    println!(
        "street {id} ({name}) listed{}; its relay's hub token: \
         `linli-relay token create --role street-relay --scope street:{id}`",
        if entry.directory.is_some() {
            " with its directory"
        } else {
            " (no directory yet: add --directory URL)"
        }
    );
    Ok(ExitCode::SUCCESS)
}
