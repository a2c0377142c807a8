//! `linli street …`: the street's directory and what it registers.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use linli_client::DocumentId;
use linli_records::building::{self, BuildingRef};
use linli_records::directory::{self, Area, BuildingEntry, Community};
use linli_records::district;
use linli_records::ids::{AreaId, BuildingId, DocUrl, TeamId};
use linli_records::task_board::{self, TaskBoardRef};
use linli_records::team::{self, TeamRef};
use serde_json::json;

use super::Context;
use super::lookup::{self, edit_err};
use super::output::{print_json, print_table};

#[derive(Debug, clap::Subcommand)]
pub enum StreetCommand {
    /// Create the street's directory on this device (street admin) and
    /// remember it; prints its URL, which other devices pass to `street use`.
    Init {
        /// The street's name, e.g. 东湖街道.
        name: String,
    },
    /// Remember an existing street directory (from `street init` on another
    /// device) and, when a relay is configured, fetch it and its documents.
    Use {
        /// The directory's automerge URL.
        url: String,
        /// Seconds to wait for the relay.
        #[arg(long, value_name = "SECS", default_value_t = 60)]
        timeout: u64,
    },
    /// Create a building's document and register it in the directory.
    AddBuilding {
        #[arg(long)]
        community: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        compound: String,
        #[arg(long, default_value = "")]
        address: String,
        #[arg(long)]
        json: bool,
    },
    /// Create a volunteer team's document and register it.
    AddTeam {
        #[arg(long)]
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Create a community's task board for a period (e.g. 2025-06).
    AddBoard {
        #[arg(long)]
        community: String,
        #[arg(long)]
        period: String,
        #[arg(long)]
        json: bool,
    },
    /// Divide a community into areas (片区): add one, led by an area head
    /// (`linli-relay token create --role area-head --scope area:ID`).
    AddArea {
        #[arg(long)]
        community: String,
        #[arg(long)]
        name: String,
    },
    /// Put a compound in an area (or, without --area, in none).
    SetArea {
        /// The compound (id or name).
        #[arg(long)]
        compound: String,
        /// The area (id or name).
        #[arg(long)]
        area: Option<String>,
    },
    /// Move a building to another compound: its compound head and area
    /// head change with it, live on the relay.
    MoveBuilding {
        /// The building (id or name).
        #[arg(long)]
        building: String,
        /// The compound (id or name).
        #[arg(long)]
        compound: String,
    },
    /// How soon a community means to answer a need (接诉即办), in hours.
    SetTarget {
        #[arg(long)]
        community: String,
        #[arg(long)]
        hours: u32,
    },
    /// Send a building's document up to the district hub, or stop
    /// (street admin). By default no building goes up: its residents'
    /// names and phones stay on the street. The street's relay follows the
    /// directory, so the choice applies once this device syncs.
    ShareUp {
        /// The building (id or name).
        building: String,
        /// Send it up.
        #[arg(long, conflicts_with = "off", required_unless_present = "off")]
        on: bool,
        /// Stop sending it up (what the hub already has stays there).
        #[arg(long)]
        off: bool,
    },
    /// Show the directory: communities, buildings, teams and boards.
    Show {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(ctx: &Context, command: StreetCommand) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    match command {
        StreetCommand::Init { name } => {
            if let Some(existing) = client.directory_id()? {
                bail!(
                    "this device already uses the street directory {}; \
                     use another --dir for another street",
                    existing.url()
                );
            }
            let (doc, ()) =
                client.create_with(|tx| directory::init(tx, name.trim()).map_err(edit_err))?;
            client.set_directory_id(doc)?;
            println!("{}", doc.url());
        }
        StreetCommand::Use { url, timeout } => {
            let doc = DocumentId::parse_id_or_url(url.trim()).context("not a document URL")?;
            client.set_directory_id(doc)?;
            if let Some(relay) = ctx.relay(&client)? {
                let runtime = ctx.runtime()?;
                let timeout = Duration::from_secs(timeout);
                runtime.block_on(client.fetch(relay.clone(), doc, timeout))?;
                let street = client.street()?;
                if client.want_street_documents(&street)? > 0 {
                    runtime.block_on(client.sync_until_idle(relay, timeout))?;
                }
                let street = client.street()?;
                println!(
                    "street:    {} ({} building(s), {} team(s), {} board(s))",
                    street.directory.street,
                    street.directory.buildings.len(),
                    street.directory.teams.len(),
                    street.directory.boards.len()
                );
            } else {
                client.want(doc)?;
                println!(
                    "directory remembered; run `linli init --relay URL` and `linli sync` to fetch it"
                );
            }
        }
        StreetCommand::AddArea { community, name } => {
            let street = ctx.street(&client)?;
            let community = lookup::community(&street.directory, &community);
            if !street.directory.communities.contains_key(&community) {
                bail!("no community {community} in the directory");
            }
            let cname = &street.directory.communities[&community].name;
            let id = AreaId::derive(cname, name.trim());
            let area = Area {
                name: name.trim().to_owned(),
                community,
            };
            client.change(street.doc, |tx| {
                directory::put_area(tx, &id, &area).map_err(edit_err)
            })?;
            println!("{id}");
        }
        StreetCommand::SetArea { compound, area } => {
            let street = ctx.street(&client)?;
            let dir = &street.directory;
            let k = find(&dir.compounds, &compound, |c| &c.name, "compound")?;
            let a = area
                .map(|a| find(&dir.areas, &a, |x| &x.name, "area"))
                .transpose()?;
            client.change(street.doc, |tx| {
                directory::set_compound_area(tx, &k, a.as_ref()).map_err(edit_err)
            })?;
            println!(
                "compound {k} is now in area {}",
                a.map_or("(none)".to_owned(), |a| a.to_string())
            );
        }
        StreetCommand::MoveBuilding { building, compound } => {
            let street = ctx.street(&client)?;
            let dir = &street.directory;
            let b = lookup::building(dir, &building)?;
            let k = find(&dir.compounds, &compound, |c| &c.name, "compound")?;
            if dir.compounds[&k].community != dir.buildings[&b].community {
                bail!("compound {k} is in another community than building {b}");
            }
            client.change(street.doc, |tx| {
                directory::set_building_compound(tx, &b, Some(&k)).map_err(edit_err)
            })?;
            println!("building {b} is now in compound {k}");
        }
        StreetCommand::SetTarget { community, hours } => {
            let street = ctx.street(&client)?;
            let id = lookup::community(&street.directory, &community);
            let mut c = street
                .directory
                .communities
                .get(&id)
                .cloned()
                .with_context(|| format!("no community {community} in the directory"))?;
            if hours == 0 {
                bail!("--hours must be at least 1");
            }
            c.response_target_hours = Some(hours);
            client.change(street.doc, |tx| {
                directory::put_community(tx, &id, &c).map_err(edit_err)
            })?;
            println!("community {} answers needs within {hours} h", c.name);
        }
        StreetCommand::AddBuilding {
            community,
            name,
            compound,
            address,
            json,
        } => {
            let street = ctx.street(&client)?;
            let community_name = match street
                .directory
                .communities
                .get(&lookup::community(&street.directory, &community))
            {
                Some(c) => c.name.clone(),
                None => community.trim().to_owned(),
            };
            let bref = BuildingRef {
                id: BuildingId::derive(&community_name, compound.trim(), name.trim()),
                community: community_name,
                compound: compound.trim().to_owned(),
                name: name.trim().to_owned(),
            };
            if let Some(entry) = street.directory.buildings.get(&bref.id)
                && entry.doc.is_some()
            {
                bail!("building {} ({}) is already registered", bref.id, bref.name);
            }
            let (doc, ()) = client.create_with(|tx| building::init(tx, &bref).map_err(edit_err))?;
            let url = DocUrl::new(doc.url())?;
            client.change(street.doc, |tx| {
                directory::register_building(tx, &bref, Some(&url)).map_err(edit_err)?;
                if !address.trim().is_empty() {
                    let entry = BuildingEntry {
                        name: bref.name.clone(),
                        community: linli_records::ids::CommunityId::derive(&bref.community),
                        compound: (!bref.compound.is_empty()).then(|| {
                            linli_records::ids::CompoundId::derive(&bref.community, &bref.compound)
                        }),
                        address: address.trim().to_owned(),
                        doc: Some(url.clone()),
                    };
                    directory::put_building(tx, &bref.id, &entry).map_err(edit_err)?;
                }
                Ok(())
            })?;
            if json {
                print_json(&json!({"id": bref.id, "url": doc.url()}))?;
            } else {
                println!(
                    "building {} ({}) registered: {}",
                    bref.id,
                    bref.name,
                    doc.url()
                );
            }
        }
        StreetCommand::AddTeam { name, json } => {
            let street = ctx.street(&client)?;
            let tref = TeamRef {
                id: TeamId::derive(name.trim()),
                name: name.trim().to_owned(),
            };
            if street
                .directory
                .teams
                .get(&tref.id)
                .is_some_and(|t| t.doc.is_some())
            {
                bail!("team {} ({}) is already registered", tref.id, tref.name);
            }
            let (doc, ()) = client.create_with(|tx| team::init(tx, &tref).map_err(edit_err))?;
            let url = DocUrl::new(doc.url())?;
            client.change(street.doc, |tx| {
                directory::register_team(tx, &tref, Some(&url)).map_err(edit_err)
            })?;
            if json {
                print_json(&json!({"id": tref.id, "url": doc.url()}))?;
            } else {
                println!("team {} ({}) registered: {}", tref.id, tref.name, doc.url());
            }
        }
        StreetCommand::AddBoard {
            community,
            period,
            json,
        } => {
            let street = ctx.street(&client)?;
            let community_id = lookup::community(&street.directory, &community);
            let bref = TaskBoardRef {
                community: community_id.clone(),
                period: period.trim().to_owned(),
            };
            let id = bref.id();
            if street
                .directory
                .boards
                .get(&id)
                .is_some_and(|b| b.doc.is_some())
            {
                bail!("the board of {community} for {period} is already registered: {id}");
            }
            let known = street.directory.communities.contains_key(&community_id);
            let (doc, ()) =
                client.create_with(|tx| task_board::init(tx, &bref).map_err(edit_err))?;
            let url = DocUrl::new(doc.url())?;
            client.change(street.doc, |tx| {
                if !known {
                    directory::put_community(
                        tx,
                        &community_id,
                        &Community::named(community.trim()),
                    )
                    .map_err(edit_err)?;
                }
                directory::register_board(tx, &bref, Some(&url)).map_err(edit_err)
            })?;
            if json {
                print_json(&json!({"id": id, "url": doc.url()}))?;
            } else {
                println!(
                    "board {id} ({community} {period}) registered: {}",
                    doc.url()
                );
            }
        }
        StreetCommand::ShareUp {
            building,
            on,
            off: _,
        } => {
            let street = ctx.street(&client)?;
            let b = lookup::building(&street.directory, &building)?;
            let before = client
                .read(street.doc, district::shared_up_buildings)??
                .contains(&b);
            if before != on {
                client.change(street.doc, |tx| {
                    district::set_share_up(tx, &b, on).map_err(edit_err)
                })?;
            }
            let name = &street.directory.buildings[&b].name;
            if on {
                println!(
                    "building {b} ({name}) goes up to the district hub, residents' data included"
                );
            } else {
                println!("building {b} ({name}) stays on the street");
            }
        }
        StreetCommand::Show { json } => {
            let street = ctx.street(&client)?;
            let d = &street.directory;
            let up = client.read(street.doc, district::shared_up_buildings)??;
            if json {
                print_json(&json!({"url": street.doc.url(), "directory": d, "shared_up": up}))?;
                return Ok(ExitCode::SUCCESS);
            }
            let here = |url: &Option<DocUrl>| -> String {
                match url.as_ref().map(linli_client::records::doc_id) {
                    None => "no document".into(),
                    Some(Ok(doc)) if client.contains(doc).unwrap_or(false) => "here".into(),
                    Some(_) => "not fetched".into(),
                }
            };
            let community_name = |id| {
                d.communities
                    .get(id)
                    .map_or("?".to_owned(), |c: &Community| c.name.clone())
            };
            println!("street:    {}", d.street);
            println!("directory: {}", street.doc.url());
            println!();
            let rows: Vec<Vec<String>> = d
                .buildings
                .iter()
                .map(|(id, b)| {
                    vec![
                        id.to_string(),
                        community_name(&b.community),
                        b.compound
                            .as_ref()
                            .and_then(|c| d.compounds.get(c))
                            .map_or(String::new(), |c| c.name.clone()),
                        b.name.clone(),
                        b.address.clone(),
                        here(&b.doc),
                        if up.contains(id) { "yes" } else { "" }.to_owned(),
                    ]
                })
                .collect();
            print_table(
                &[
                    "BUILDING",
                    "COMMUNITY",
                    "COMPOUND",
                    "NAME",
                    "ADDRESS",
                    "DOCUMENT",
                    "UP",
                ],
                &rows,
            );
            println!();
            let rows: Vec<Vec<String>> = d
                .teams
                .iter()
                .map(|(id, t)| vec![id.to_string(), t.name.clone(), here(&t.doc)])
                .collect();
            print_table(&["TEAM", "NAME", "DOCUMENT"], &rows);
            println!();
            let rows: Vec<Vec<String>> = d
                .boards
                .iter()
                .map(|(id, b)| {
                    vec![
                        id.to_string(),
                        community_name(&b.community),
                        b.period.clone(),
                        here(&b.doc),
                    ]
                })
                .collect();
            print_table(&["BOARD", "COMMUNITY", "PERIOD", "DOCUMENT"], &rows);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An entry of `map` by id or by name.
fn find<K: Ord + Clone + AsRef<str> + std::fmt::Display, V>(
    map: &std::collections::BTreeMap<K, V>,
    text: &str,
    name: impl Fn(&V) -> &String,
    what: &str,
) -> anyhow::Result<K> {
    let text = text.trim();
    map.iter()
        .find(|(id, v)| id.as_ref() == text || name(v) == text)
        .map(|(id, _)| id.clone())
        .with_context(|| format!("no {what} {text} in the directory"))
}
