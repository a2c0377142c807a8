//! `linli household show`: one household with its members and visits.

use std::process::ExitCode;

use anyhow::Context as _;

use super::{address, household_json};
use crate::cli::Context;
use crate::cli::lookup;
use crate::cli::output::{format_date, print_json, print_table};

/// Show one household with its members and visits.
#[derive(Debug, clap::Args)]
pub struct Args {
    id: String,
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let (b, id) = lookup::household_building(&client, &street, &args.id)?;
    let hh = b
        .value
        .households
        .get(&id)
        .with_context(|| format!("household {id} vanished while reading it"))?;
    if args.json {
        print_json(&household_json(&b, &id, hh))?;
        return Ok(ExitCode::SUCCESS);
    }
    let bv = &b.value.building;
    println!("household: {id}");
    println!(
        "building:  {} {} {} ({})",
        bv.community, bv.compound, bv.name, b.id
    );
    println!("address:   {}", address(&hh.fields));
    let tags: Vec<&str> = hh.fields.tags.iter().map(String::as_str).collect();
    println!("tags:      {}", tags.join(", "));
    println!("notes:     {}", hh.fields.notes);
    println!();
    let rows: Vec<Vec<String>> = hh
        .members
        .iter()
        .map(|(mid, m)| {
            vec![
                mid.to_string(),
                m.name.clone(),
                m.gender.map_or(String::new(), |g| g.to_string()),
                m.birth_year.to_string(),
                m.relation.to_string(),
                m.phone.clone().unwrap_or_default(),
                m.tags.iter().cloned().collect::<Vec<_>>().join(","),
                m.note.clone(),
            ]
        })
        .collect();
    print_table(
        &[
            "MEMBER", "NAME", "GENDER", "BORN", "RELATION", "PHONE", "TAGS", "NOTE",
        ],
        &rows,
    );
    if !hh.visits.is_empty() {
        println!();
        let mut visits: Vec<_> = hh.visits.values().collect();
        visits.sort_by_key(|v| v.at);
        let rows: Vec<Vec<String>> = visits
            .iter()
            .map(|v| vec![format_date(v.at), v.by.to_string(), v.note.clone()])
            .collect();
        print_table(&["VISITED", "BY", "NOTE"], &rows);
    }
    Ok(ExitCode::SUCCESS)
}
