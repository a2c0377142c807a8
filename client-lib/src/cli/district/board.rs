//! `linli district add-board|share-board`: district task boards shared
//! down to chosen communities of chosen streets. Each street's relay lists
//! such a board in the street's directory as a board of that community
//! (`district-<share>`), so that community's volunteers find it on their
//! own relay.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use linli_client::Client;
use linli_records::district::{self, SharedDown};
use linli_records::ids::{CommunityId, DocUrl};
use linli_records::task_board::{self, TaskBoardRef};
use rand::Rng as _;
use serde_json::json;

use super::{street_id, target, writable, write_err};
use crate::cli::Context;
use crate::cli::lookup::edit_err;
use crate::cli::output::print_json;

/// Create a district task board and share it down to a community of each
/// chosen street; prints its share id.
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// What it is about (no personal data), e.g. 全区独居老人走访.
    #[arg(long)]
    title: String,
    /// Its period, YYYY-MM.
    #[arg(long)]
    period: String,
    /// STREET=COMMUNITY (community id or name, as in that street's
    /// directory); repeat for each street.
    #[arg(long, value_name = "STREET=COMMUNITY", required = true)]
    to: Vec<String>,
    /// The share id (default: a new random one).
    #[arg(long)]
    id: Option<String>,
    #[arg(long)]
    json: bool,
}

/// Share an existing district board with more streets (or another
/// community of a street), or stop sharing it with some.
#[derive(Debug, clap::Args)]
pub struct ShareArgs {
    /// The board's share id (see `linli district show`).
    share: String,
    /// STREET=COMMUNITY to share with (repeat).
    #[arg(long, value_name = "STREET=COMMUNITY")]
    to: Vec<String>,
    /// A street to stop sharing with (repeat): its devices keep what they
    /// have, and no further change comes down.
    #[arg(long, value_name = "STREET")]
    stop: Vec<String>,
}

pub fn add(_ctx: &Context, client: &Client, args: AddArgs) -> anyhow::Result<ExitCode> {
    let hub = writable(client)?;
    let title = args.title.trim();
    if title.is_empty() {
        bail!("--title: say what the board is about");
    }
    let period = args.period.trim();
    if !is_month(period) {
        bail!("--period {period:?}: write the month as YYYY-MM, e.g. 2025-07");
    }
    let share = match &args.id {
        Some(id) => street_id(id).context("--id")?,
        None => format!("d-{:08x}", rand::rng().random::<u32>()),
    };
    if hub.district.shared.contains_key(&share) {
        bail!("the district already shares a board {share}");
    }
    district::down_board_id(&share)?;
    let streets = targets(client, &hub, &args.to)?;
    let Some(first) = streets.values().next().cloned() else {
        bail!("--to: say which street's community the board is for");
    };
    // The board's own community is its first street's: the street's
    // figures count its tasks there.
    let bref = TaskBoardRef {
        community: first,
        period: period.to_owned(),
    };
    let (doc, ()) = client.create_with(|tx| task_board::init(tx, &bref).map_err(edit_err))?;
    let shared = SharedDown {
        doc: DocUrl::new(doc.url())?,
        title: title.to_owned(),
        period: period.to_owned(),
        streets,
    };
    client
        .change(hub.doc, |tx| {
            district::put_shared(tx, &share, &shared).map_err(edit_err)
        })
        .map_err(write_err)?;
    if args.json {
        print_json(&json!({"id": share, "url": doc.url()}))?;
    } else {
        println!(
            "board {share} ({title}, {period}) shared down to {}: {}",
            shared
                .streets
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            doc.url()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn share(client: &Client, args: ShareArgs) -> anyhow::Result<ExitCode> {
    let hub = writable(client)?;
    let id = args.share.trim();
    let mut shared = hub.district.shared.get(id).cloned().with_context(|| {
        format!("the district shares no board {id} (see `linli district show`)")
    })?;
    if args.to.is_empty() && args.stop.is_empty() {
        bail!("say --to STREET=COMMUNITY or --stop STREET");
    }
    for street in &args.stop {
        let street = street_id(street)?;
        if shared.streets.remove(&street).is_none() {
            bail!("board {id} is not shared with street {street}");
        }
    }
    shared.streets.extend(targets(client, &hub, &args.to)?);
    client
        .change(hub.doc, |tx| {
            district::put_shared(tx, id, &shared).map_err(edit_err)
        })
        .map_err(write_err)?;
    println!(
        "board {id} is shared down to: {}",
        if shared.streets.is_empty() {
            "no street".to_owned()
        } else {
            shared
                .streets
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// Every `--to`, resolved; one community per street.
fn targets(
    client: &Client,
    hub: &linli_client::records::DistrictHub,
    to: &[String],
) -> anyhow::Result<BTreeMap<String, CommunityId>> {
    let mut out = BTreeMap::new();
    for text in to {
        let (street, community) = target(client, hub, text)?;
        if out.insert(street.clone(), community).is_some() {
            bail!("--to names street {street} twice: a board goes to one community per street");
        }
    }
    Ok(out)
}

/// `YYYY-MM`.
fn is_month(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit)
        && matches!(text[5..].parse::<u8>(), Ok(1..=12))
}

#[cfg(test)]
mod tests {
    use super::is_month;

    #[test]
    fn a_period_is_a_month() {
        assert!(is_month("2025-07") && is_month("2025-12"));
        for bad in [
            "2025-13",
            "2025-00",
            "2025-7",
            "25-07",
            "2025/07",
            "２０２５-07",
        ] {
            assert!(!is_month(bad), "{bad}");
        }
    }
}
