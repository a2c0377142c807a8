//! `linli export households|volunteers|tasks`: the records on this device,
//! as CSV (the import format for households and volunteers) or JSON.

use std::process::ExitCode;

use linli_records::export_csv::{export_residents, export_tasks, export_volunteers};
use serde_json::json;

use super::Context;
use super::output::{print_json, print_text};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum What {
    Households,
    Volunteers,
    Tasks,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

/// Write households (residents.csv), volunteers (volunteers.csv) or tasks
/// to stdout.
#[derive(Debug, clap::Args)]
pub struct Args {
    pub what: What,
    #[arg(long, default_value = "csv")]
    pub format: Format,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    match (args.what, args.format) {
        (What::Households, Format::Csv) => {
            let buildings = client.buildings(&street)?;
            let csv = export_residents(buildings.iter().map(|b| &b.value))?;
            print_text(&csv)?;
        }
        (What::Households, Format::Json) => {
            let buildings = client.buildings(&street)?;
            let out: Vec<_> = buildings
                .iter()
                .flat_map(|b| {
                    b.value
                        .households
                        .iter()
                        .map(move |(id, hh)| super::household::household_json(b, id, hh))
                })
                .collect();
            print_json(&out)?;
        }
        (What::Volunteers, Format::Csv) => {
            let teams = client.teams(&street)?;
            print_text(&export_volunteers(teams.iter().map(|t| &t.value))?)?;
        }
        (What::Volunteers, Format::Json) => {
            let teams = client.teams(&street)?;
            let out: Vec<_> = teams
                .iter()
                .flat_map(|t| {
                    t.value.volunteers.iter().map(move |(id, v)| {
                        json!({"id": id, "team": t.id, "team_name": t.value.team.name, "volunteer": v})
                    })
                })
                .collect();
            print_json(&out)?;
        }
        (What::Tasks, Format::Csv) => {
            let boards = client.boards(&street)?;
            print_text(&export_tasks(boards.iter().map(|b| &b.value))?)?;
        }
        (What::Tasks, Format::Json) => {
            let boards = client.boards(&street)?;
            let out: Vec<_> = boards
                .iter()
                .flat_map(|b| {
                    b.value.tasks.iter().map(move |(id, t)| {
                        json!({"id": id, "board": b.id, "task": t, "state": t.state()})
                    })
                })
                .collect();
            print_json(&out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
