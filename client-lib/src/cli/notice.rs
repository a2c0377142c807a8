//! `linli notice …`: notices (通知公告). The street office (or a
//! community's grid worker) publishes one to a community's building heads,
//! narrowed to compounds or buildings if it likes; each building head reads
//! it and marks it read, offline too. The office's list of who has not
//! read it is on the office page (`/api/office/notices`), which knows the
//! tokens.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use linli_records::ids::{BuildingId, CompoundId, NoticeId, PersonId};
use linli_records::notices::{self, Notice};
use linli_records::task_board::TaskBoard;
use serde_json::json;

use super::Context;
use super::lookup::{self, edit_err};
use super::output::{days, format_date, now_ms, parse_date, print_json, print_table};

#[derive(Debug, clap::Subcommand)]
pub enum NoticeCommand {
    /// Publish a notice to a community (its latest board on this device).
    Publish(PublishArgs),
    /// Notices on this device's boards, and whether you have read them.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Mark a notice read (works offline).
    Read { id: String },
}

#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// The community (id or name).
    #[arg(long)]
    community: String,
    #[arg(long)]
    title: String,
    #[arg(long)]
    body: String,
    /// Only these compounds (id or name; repeat). Default: the whole community.
    #[arg(long)]
    compound: Vec<String>,
    /// Only these buildings (id or name; repeat).
    #[arg(long)]
    building: Vec<String>,
    /// Read by the end of this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    deadline: Option<String>,
}

pub fn run(ctx: &Context, command: NoticeCommand) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let boards = client.boards(&street)?;
    let me = PersonId::new(ctx.person(&client)?)?;
    match command {
        NoticeCommand::Publish(a) => {
            let dir = &street.directory;
            let community = lookup::community(dir, &a.community);
            let board = boards
                .iter()
                .filter(|b| b.value.board.community == community)
                .max_by(|a, b| a.value.board.period.cmp(&b.value.board.period))
                .with_context(|| {
                    format!("no board of community {} on this device; add one with `linli street add-board`", a.community)
                })?;
            let compounds = a
                .compound
                .iter()
                .map(|k| {
                    dir.compounds
                        .iter()
                        .find(|(id, c)| id.as_str() == k.trim() || c.name == k.trim())
                        .map(|(id, _)| id.clone())
                        .with_context(|| format!("no compound {k} in the directory"))
                })
                .collect::<anyhow::Result<BTreeSet<CompoundId>>>()?;
            let buildings = a
                .building
                .iter()
                .map(|b| lookup::building(dir, b))
                .collect::<anyhow::Result<BTreeSet<BuildingId>>>()?;
            if a.title.trim().is_empty() {
                bail!("--title is empty");
            }
            let deadline = a
                .deadline
                .map(|d| parse_date(&d).map(|ms| ms + days(1) - 1))
                .transpose()?;
            let id = NoticeId::new(format!("n-{:08x}", rand::random::<u32>()))?;
            let notice = Notice {
                title: a.title.trim().to_owned(),
                body: a.body,
                by: me,
                at: now_ms(),
                deadline,
                compounds,
                buildings,
                reads: Default::default(),
            };
            client.change(board.doc, |tx| {
                notices::publish(tx, &id, &notice).map_err(edit_err)
            })?;
            println!("{id}");
        }
        NoticeCommand::List { json } => {
            let mut out = Vec::new();
            let mut rows = Vec::new();
            for b in &boards {
                for (id, n) in &b.value.notices {
                    let read = n.reads.contains_key(&me);
                    rows.push(vec![
                        id.to_string(),
                        if read { "read" } else { "NEW" }.to_owned(),
                        format_date(n.at),
                        n.title.clone(),
                        n.deadline.map_or(String::new(), format_date),
                        n.reads.len().to_string(),
                    ]);
                    out.push(json!({
                        "id": id, "community": b.value.board.community, "title": n.title,
                        "body": n.body, "at": n.at, "deadline": n.deadline, "by": n.by,
                        "read": read, "reads": n.reads,
                        "compounds": n.compounds, "buildings": n.buildings,
                    }));
                }
            }
            if json {
                print_json(&out)?;
            } else {
                print_table(
                    &["NOTICE", "", "DATE", "TITLE", "READ BY", "READERS"],
                    &rows,
                );
                println!("{} notice(s)", rows.len());
            }
        }
        NoticeCommand::Read { id } => {
            let nid = NoticeId::new(id.trim())?;
            let board = boards
                .iter()
                .find(|b| b.value.notices.contains_key(&nid))
                .with_context(|| format!("no notice {nid} on this device's boards"))?;
            let wrote = client.change(board.doc, |tx| {
                notices::mark_read(tx, &nid, &me, now_ms()).map_err(edit_err)
            })?;
            let title = client
                .read(board.doc, TaskBoard::load)??
                .notices
                .get(&nid)
                .map(|n| n.title.clone())
                .unwrap_or_default();
            if wrote {
                println!("notice {nid} ({title}) marked read");
            } else {
                println!("notice {nid} ({title}) was already marked read");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
