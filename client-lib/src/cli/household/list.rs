//! `linli household list`: the households of the buildings on this device.

use std::process::ExitCode;

use linli_records::vocab::Relation;

use super::{address, household_json};
use crate::cli::Context;
use crate::cli::lookup;
use crate::cli::output::{days, format_date, now_ms, print_json, print_table};

/// List households (of every building on this device, or one).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this building (id or name).
    #[arg(long)]
    building: Option<String>,
    /// Only households with this tag, on the household or a member.
    #[arg(long)]
    tag: Option<String>,
    /// Only households not visited in the last N days (or never).
    #[arg(long, value_name = "N")]
    not_visited_days: Option<u32>,
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let only = args
        .building
        .map(|b| lookup::building(&street.directory, &b))
        .transpose()?;
    let buildings = client.buildings(&street)?;
    let cutoff = args.not_visited_days.map(|n| now_ms() - days(i64::from(n)));
    let mut out = Vec::new();
    let mut rows = Vec::new();
    for b in &buildings {
        if only.as_ref().is_some_and(|o| *o != b.id) {
            continue;
        }
        for (id, hh) in &b.value.households {
            if let Some(tag) = &args.tag
                && !hh.has_tag(tag)
            {
                continue;
            }
            if let Some(cutoff) = cutoff
                && !hh.not_visited_since(cutoff)
            {
                continue;
            }
            let head = hh
                .members
                .values()
                .find(|m| m.relation == Relation::Head)
                .or_else(|| hh.members.values().next())
                .map_or(String::new(), |m| m.name.clone());
            let tags = hh.all_tags();
            rows.push(vec![
                id.to_string(),
                b.value.building.name.clone(),
                address(&hh.fields),
                head,
                hh.members.len().to_string(),
                tags.into_iter().collect::<Vec<_>>().join(","),
                hh.last_visit().map_or("never".to_owned(), format_date),
            ]);
            out.push(household_json(b, id, hh));
        }
    }
    if args.json {
        print_json(&out)?;
    } else {
        print_table(
            &[
                "HOUSEHOLD",
                "BUILDING",
                "ADDRESS",
                "HEAD",
                "MEMBERS",
                "TAGS",
                "LAST VISIT",
            ],
            &rows,
        );
        println!("{} household(s)", rows.len());
    }
    Ok(ExitCode::SUCCESS)
}
