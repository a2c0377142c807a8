//! `linli service …`: the services list (服务清单). A team leader publishes
//! what the team offers on a community's board; a building head requests it
//! for a household in one command; the provider accepts (making a task held
//! by one of the team's volunteers) or declines. Requests made offline for
//! the last place are settled the same way on every device; `service list`
//! tells the one that lost.

use std::process::ExitCode;

use anyhow::{Context as _, bail};
use linli_client::records::Loaded;
use linli_records::ids::{BoardId, PersonId, RequestId, ServiceId, VolunteerId};
use linli_records::services::{self, Cost, RequestStatus, Service, ServiceRequest};
use linli_records::task_board::TaskBoard;
use serde_json::json;

use super::Context;
use super::lookup::{self, edit_err};
use super::output::{format_date, now_ms, print_json, print_table};

#[derive(Debug, clap::Subcommand)]
pub enum ServiceCommand {
    /// Publish a service your team offers, on a community's board.
    Publish(PublishArgs),
    /// Services on this device's boards, with places left and requests.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Request a service for a household (building heads).
    Request {
        /// The service's id (see `linli service list`).
        service: String,
        #[arg(long)]
        household: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Accept a request: it becomes a task held by --volunteer.
    Accept {
        request: String,
        /// The team's volunteer who will serve (id); yourself by default.
        #[arg(long)]
        volunteer: Option<String>,
    },
    /// Decline a request: its place goes to the next one.
    Decline { request: String },
}

#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// The board (see `linli street show`); the only one when left out.
    #[arg(long)]
    board: Option<String>,
    /// The providing team (id or name).
    #[arg(long)]
    team: String,
    /// e.g. home-care, meal-help, haircut, legal-aid, repair.
    #[arg(long)]
    kind: String,
    #[arg(long)]
    title: String,
    #[arg(long, default_value = "")]
    detail: String,
    /// When it is available, in words (每周六上午).
    #[arg(long, default_value = "")]
    when: String,
    /// How many requests it takes this period.
    #[arg(long)]
    capacity: u32,
    /// free or low-cost.
    #[arg(long, default_value = "free")]
    cost: String,
}

pub fn run(ctx: &Context, command: ServiceCommand) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let boards = client.boards(&street)?;
    let by = || -> anyhow::Result<PersonId> { Ok(PersonId::new(ctx.person(&client)?)?) };
    match command {
        ServiceCommand::Publish(a) => {
            let board = lookup::board(&boards, a.board.as_deref())?;
            let cost = Cost::parse(a.cost.trim()).context("--cost is free or low-cost")?;
            if a.capacity == 0 {
                bail!("--capacity must be at least 1");
            }
            let provider = lookup::team(&street.directory, &a.team)?;
            let id = ServiceId::new(format!("s-{:08x}", rand::random::<u32>()))?;
            let service = Service {
                provider,
                kind: a.kind.trim().to_owned(),
                title: a.title.trim().to_owned(),
                detail: a.detail,
                when: a.when,
                capacity: a.capacity,
                cost,
                by: by()?,
                at: now_ms(),
            };
            client.change(board.doc, |tx| {
                services::publish(tx, &id, &service).map_err(edit_err)
            })?;
            println!("{id}");
        }
        ServiceCommand::List { json } => list(&street.directory, &boards, ctx, json)?,
        ServiceCommand::Request {
            service,
            household,
            note,
        } => {
            let sid = ServiceId::new(service.trim())?;
            let board = boards
                .iter()
                .find(|b| b.value.services.contains_key(&sid))
                .with_context(|| format!("no service {sid} on this device's boards"))?;
            let buildings = client.buildings(&street)?;
            let (b, hid, _) = lookup::household(&buildings, &household)?;
            let request = ServiceRequest {
                service: sid,
                building: b.id.clone(),
                household: Some(hid),
                note,
                by: by()?,
                at: now_ms(),
                decisions: Default::default(),
            };
            let id = client.change(board.doc, |tx| {
                services::request(tx, &request).map_err(edit_err)
            })?;
            let now = client.read(board.doc, TaskBoard::load)??;
            match services::status(&now, &id) {
                Some(RequestStatus::Full) => println!(
                    "request {id} recorded, but every place is taken: it is on the waiting list"
                ),
                _ => println!(
                    "request {id} recorded; it holds a place unless an earlier request arrives when you sync"
                ),
            }
        }
        ServiceCommand::Accept { request, volunteer } => {
            let rid = RequestId::new(request.trim())?;
            let board = board_of(&boards, &rid)?;
            let me = by()?;
            let volunteer = VolunteerId::new(volunteer.unwrap_or_else(|| me.to_string()).trim())?;
            let task = client.change(board.doc, |tx| {
                services::accept(tx, &rid, &volunteer, &me, now_ms()).map_err(edit_err)
            })?;
            println!("request {rid} accepted: task {task} is held by {volunteer}");
        }
        ServiceCommand::Decline { request } => {
            let rid = RequestId::new(request.trim())?;
            let board = board_of(&boards, &rid)?;
            let me = by()?;
            client.change(board.doc, |tx| {
                services::decline(tx, &rid, &me, now_ms()).map_err(edit_err)
            })?;
            println!("request {rid} declined");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn board_of<'a>(
    boards: &'a [Loaded<BoardId, TaskBoard>],
    request: &RequestId,
) -> anyhow::Result<&'a Loaded<BoardId, TaskBoard>> {
    boards
        .iter()
        .find(|b| b.value.requests.contains_key(request))
        .with_context(|| format!("no request {request} on this device's boards"))
}

/// The status as a word: waiting, accepted, declined or full.
pub fn status_word(s: &RequestStatus) -> &'static str {
    match s {
        RequestStatus::Waiting => "waiting",
        RequestStatus::Accepted { .. } => "accepted",
        RequestStatus::Declined => "declined",
        RequestStatus::Full => "full",
    }
}

fn list(
    directory: &linli_records::directory::Directory,
    boards: &[Loaded<BoardId, TaskBoard>],
    ctx: &Context,
    json: bool,
) -> anyhow::Result<()> {
    let mut out = Vec::new();
    let mut rows = Vec::new();
    for b in boards {
        for (sid, s) in &b.value.services {
            let provider = directory
                .teams
                .get(&s.provider)
                .map_or(s.provider.to_string(), |t| t.name.clone());
            let requests: Vec<_> = services::places(&b.value, sid)
                .into_iter()
                .map(|(rid, status)| {
                    let r = &b.value.requests[&rid];
                    rows.push(vec![
                        format!("  {rid}"),
                        status_word(&status).to_owned(),
                        r.household
                            .as_ref()
                            .map_or(String::new(), |h| h.to_string()),
                        r.by.to_string(),
                        format_date(r.at),
                        String::new(),
                    ]);
                    json!({
                        "id": rid, "household": r.household, "building": r.building,
                        "by": r.by, "at": r.at, "status": status,
                        "mine": ctx.person.as_deref() == Some(r.by.as_str()),
                    })
                })
                .collect();
            let left = services::places_left(&b.value, sid);
            rows.insert(
                rows.len() - requests.len(),
                vec![
                    sid.to_string(),
                    format!("{left}/{} left", s.capacity),
                    s.kind.clone(),
                    s.title.clone(),
                    provider.clone(),
                    s.cost.as_str().to_owned(),
                ],
            );
            out.push(json!({
                "id": sid, "board": b.id, "community": b.value.board.community,
                "provider": s.provider, "provider_name": provider, "kind": s.kind,
                "title": s.title, "detail": s.detail, "when": s.when,
                "capacity": s.capacity, "places_left": left, "cost": s.cost.as_str(),
                "requests": requests,
            }));
        }
    }
    if json {
        print_json(&out)?;
    } else {
        print_table(
            &["SERVICE", "PLACES", "KIND", "TITLE", "PROVIDER", "COST"],
            &rows,
        );
        println!("{} service(s)", out.len());
    }
    Ok(())
}
