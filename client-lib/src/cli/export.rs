//! `linli export households|volunteers|tasks`: the records on this device,
//! as CSV (the import format for households and volunteers) or JSON.

use std::process::ExitCode;

use anyhow::Context as _;
use linli_records::export_csv::{export_residents, export_volunteers};
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
        (What::Tasks, format) => {
            let boards = client.boards(&street)?;
            let mut out = Vec::new();
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record([
                "board",
                "community",
                "period",
                "task_id",
                "kind",
                "title",
                "building",
                "household",
                "created_by",
                "created_at",
                "deadline",
                "status",
                "assignee",
                "done_at",
                "stars",
                "feedback",
            ])?;
            for b in &boards {
                for (id, t) in &b.value.tasks {
                    let s = t.state();
                    let status = serde_json::to_value(s.status)?;
                    let status = status.as_str().unwrap_or_default().to_owned();
                    let opt = |v: Option<i64>| v.map_or(String::new(), |v| v.to_string());
                    w.write_record([
                        b.id.as_str(),
                        b.value.board.community.as_str(),
                        &b.value.board.period,
                        id.as_str(),
                        &t.kind,
                        &t.title,
                        t.building.as_str(),
                        t.household.as_ref().map_or("", |h| h.as_str()),
                        t.created_by.as_str(),
                        &t.created_at.to_string(),
                        &opt(t.deadline),
                        &status,
                        s.assignee.as_ref().map_or("", |a| a.as_str()),
                        &opt(s.done_at),
                        &s.rating
                            .as_ref()
                            .map_or(String::new(), |r| r.stars.to_string()),
                        s.rating.as_ref().map_or("", |r| r.feedback.as_str()),
                    ])?;
                    out.push(json!({"id": id, "board": b.id, "task": t, "state": s}));
                }
            }
            match format {
                Format::Json => print_json(&out)?,
                Format::Csv => {
                    let bytes = w.into_inner().context("writing CSV")?;
                    print_text(&String::from_utf8(bytes)?)?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
