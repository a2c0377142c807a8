//! `linli import FILE.csv`: residents or volunteers from a spreadsheet.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use linli_records::directory;
use linli_records::ids::DocUrl;
use linli_records::import_csv::{
    ImportLimits, RejectedRow, apply_building_import, apply_team_import, parse_residents,
    parse_volunteers,
};
use serde_json::json;

use super::Context;
use super::lookup::edit_err;
use super::output::{format_date, now_ms, print_json};

/// Import `residents.csv` or `volunteers.csv` (the format `linli export`
/// writes; which one is told by the header). Buildings, teams and
/// communities not yet in the directory are created and registered. Rows
/// that cannot be imported are listed with their line and reason; the rest
/// are imported. Importing the same file again changes nothing.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The CSV file.
    pub file: PathBuf,
    /// Machine-readable JSON report instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let header = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let header = String::from_utf8_lossy(header).to_ascii_lowercase();
    let is_volunteers = header.split(',').any(|c| c.trim() == "team");
    let mut changes = 0usize;
    let mut lines = Vec::new();
    let rejected: Vec<RejectedRow>;
    let mut reports = Vec::new();
    if is_volunteers {
        let import = parse_volunteers(&bytes).context("cannot import this file")?;
        rejected = import.rejected;
        let progress = Progress::new(import.teams.len());
        for (i, team) in import.teams.iter().enumerate() {
            progress.show(i, &team.team.name);
            let entry = street.directory.teams.get(&team.team.id);
            let report = match entry.and_then(|t| t.doc.as_ref()) {
                Some(url) => {
                    let doc = super::lookup_doc(&client, url, "team", &team.team.name)?;
                    client.change(doc, |tx| apply_team_import(tx, team).map_err(edit_err))?
                }
                None => {
                    let (doc, report) =
                        client.create_with(|tx| apply_team_import(tx, team).map_err(edit_err))?;
                    let url = DocUrl::new(doc.url())?;
                    client.change(street.doc, |tx| {
                        directory::register_team(tx, &team.team, Some(&url)).map_err(edit_err)
                    })?;
                    changes += 1;
                    lines.push(format!(
                        "team {} ({}): new document",
                        team.team.name, team.team.id
                    ));
                    report
                }
            };
            changes += report.created + report.updated;
            lines.push(format!(
                "team {}: {} added, {} updated, {} unchanged",
                team.team.name, report.created, report.updated, report.unchanged
            ));
            reports.push(json!({"team": team.team, "report": report}));
        }
        progress.done();
    } else {
        let limits = ImportLimits::up_to(format_date(now_ms())[..4].parse().unwrap_or(2100));
        let import = parse_residents(&bytes, &limits).context("cannot import this file")?;
        rejected = import.rejected;
        let progress = Progress::new(import.buildings.len());
        for (i, b) in import.buildings.iter().enumerate() {
            progress.show(i, &format!("{} {}", b.building.compound, b.building.name));
            let entry = street.directory.buildings.get(&b.building.id);
            let report = match entry.and_then(|e| e.doc.as_ref()) {
                Some(url) => {
                    let doc = super::lookup_doc(&client, url, "building", &b.building.name)?;
                    client.change(doc, |tx| apply_building_import(tx, b).map_err(edit_err))?
                }
                None => {
                    let (doc, report) =
                        client.create_with(|tx| apply_building_import(tx, b).map_err(edit_err))?;
                    let url = DocUrl::new(doc.url())?;
                    client.change(street.doc, |tx| {
                        directory::register_building(tx, &b.building, Some(&url)).map_err(edit_err)
                    })?;
                    changes += 1;
                    lines.push(format!(
                        "building {} {} {} ({}): new document",
                        b.building.community, b.building.compound, b.building.name, b.building.id
                    ));
                    report
                }
            };
            changes += report.households_created
                + report.households_updated
                + report.members_created
                + report.members_updated;
            lines.push(format!(
                "building {}: {} household(s) added, {} updated, {} unchanged; {} member(s) added, {} updated",
                b.building.name,
                report.households_created,
                report.households_updated,
                report.households_unchanged,
                report.members_created,
                report.members_updated
            ));
            reports.push(json!({"building": b.building, "report": report}));
        }
        progress.done();
    }
    if args.json {
        print_json(&json!({
            "kind": if is_volunteers { "volunteers" } else { "residents" },
            "changes": changes,
            "imported": reports,
            "rejected": rejected,
        }))?;
    } else {
        for line in &lines {
            println!("{line}");
        }
        for row in &rejected {
            let reasons: Vec<String> = row.problems.iter().map(|p| p.to_string()).collect();
            println!("rejected line {}: {}", row.line, reasons.join("; "));
        }
        println!("{changes} change(s), {} row(s) rejected", rejected.len());
    }
    Ok(ExitCode::SUCCESS)
}

/// A progress bar on stderr for files with more than one building or team,
/// drawn only when stderr is a terminal (indicatif hides it otherwise, so
/// scripts and `--json` output stay clean).
struct Progress {
    bar: ProgressBar,
}

impl Progress {
    fn new(total: usize) -> Self {
        let bar = if total > 1 {
            ProgressBar::new(total as u64)
        } else {
            ProgressBar::hidden()
        };
        if let Ok(style) =
            ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} ({elapsed}, ~{eta} left)")
        {
            bar.set_style(style);
        }
        Progress { bar }
    }

    /// `i` done; now importing `what`.
    fn show(&self, i: usize, what: &str) {
        self.bar.set_position(i as u64);
        self.bar.set_message(what.to_string());
    }

    fn done(&self) {
        self.bar.finish_and_clear();
    }
}
