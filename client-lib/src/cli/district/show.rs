//! `linli district show`: the district as this device holds it — its
//! streets, the boards shared down and where their tasks stand. A district
//! viewer reads it too.

use std::process::ExitCode;

use linli_client::Client;
use serde_json::json;

use crate::cli::output::{print_json, print_table};
use crate::cli::task::words::status_word;

/// Show the district directory: streets, boards shared down, their tasks.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long)]
    json: bool,
}

pub fn run(client: &Client, args: Args) -> anyhow::Result<ExitCode> {
    let hub = client.district()?;
    let d = &hub.district;
    let boards = client.district_boards(&hub)?;
    let tasks: Vec<(String, serde_json::Value)> = boards
        .iter()
        .flat_map(|b| {
            b.value.tasks.iter().map(|(id, t)| {
                let state = t.state();
                (
                    b.id.clone(),
                    json!({
                        "id": id, "board": b.id, "kind": t.kind, "title": t.title,
                        "status": status_word(state.status), "assignee": state.assignee,
                    }),
                )
            })
        })
        .collect();
    if args.json {
        print_json(&json!({
            "url": hub.doc.url(),
            "district": d,
            "tasks": tasks.iter().map(|(_, t)| t).collect::<Vec<_>>(),
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let here = |url: Option<&linli_records::ids::DocUrl>| -> String {
        match url.map(linli_client::records::doc_id) {
            None => "no directory".into(),
            Some(Ok(doc)) if client.contains(doc).unwrap_or(false) => "here".into(),
            Some(_) => "not fetched".into(),
        }
    };
    println!("district:  {}", d.district);
    println!("directory: {}", hub.doc.url());
    println!();
    let rows: Vec<Vec<String>> = d
        .streets
        .iter()
        .map(|(id, s)| vec![id.clone(), s.name.clone(), here(s.directory.as_ref())])
        .collect();
    print_table(&["STREET", "NAME", "DIRECTORY"], &rows);
    println!();
    let rows: Vec<Vec<String>> = d
        .shared
        .iter()
        .map(|(id, s)| {
            vec![
                id.clone(),
                s.title.clone(),
                s.period.clone(),
                s.streets.keys().cloned().collect::<Vec<_>>().join(","),
                here(Some(&s.doc)),
            ]
        })
        .collect();
    print_table(&["BOARD", "TITLE", "PERIOD", "STREETS", "DOCUMENT"], &rows);
    println!();
    let rows: Vec<Vec<String>> = tasks
        .iter()
        .map(|(board, t)| {
            let text = |k: &str| t[k].as_str().unwrap_or("").to_owned();
            vec![
                board.clone(),
                text("id"),
                text("title"),
                text("status"),
                text("assignee"),
            ]
        })
        .collect();
    print_table(&["BOARD", "TASK", "TITLE", "STATUS", "ASSIGNEE"], &rows);
    Ok(ExitCode::SUCCESS)
}
