//! `linli district …`: the district hub's choices, made on a district
//! office's device with its hub token, one file per concern under
//! `district/`. The district admin creates the district directory, lists
//! the streets that feed the hub, and shares task boards down to chosen
//! communities of chosen streets; a district viewer only reads. Every
//! command edits this device's copy and refuses bad input before changing
//! anything; `linli sync` takes the change to the hub.

mod board;
mod setup;
mod show;
mod task;

use std::process::ExitCode;

use anyhow::{Context as _, bail};
use linli_client::records::DistrictHub;
use linli_client::{Client, ClientError};
use linli_records::ids::CommunityId;

use super::Context;

#[derive(Debug, clap::Subcommand)]
pub enum DistrictCommand {
    Init(setup::InitArgs),
    Use(setup::UseArgs),
    AddStreet(setup::AddStreetArgs),
    AddBoard(board::AddArgs),
    ShareBoard(board::ShareArgs),
    /// Raise tasks on a district board shared down to streets.
    #[command(subcommand)]
    Task(task::TaskCommand),
    Show(show::Args),
}

pub fn run(ctx: &Context, command: DistrictCommand) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    match command {
        DistrictCommand::Init(args) => setup::init(ctx, &client, args),
        DistrictCommand::Use(args) => setup::use_existing(ctx, &client, args),
        DistrictCommand::AddStreet(args) => setup::add_street(&client, args),
        DistrictCommand::AddBoard(args) => board::add(ctx, &client, args),
        DistrictCommand::ShareBoard(args) => board::share(&client, args),
        DistrictCommand::Task(command) => task::run(ctx, &client, command),
        DistrictCommand::Show(args) => show::run(&client, args),
    }
}

/// The district directory on this device, refusing when the hub said this
/// device's token may only read it (a district viewer's): checked before
/// anything is created, so a refused command leaves no trace.
fn writable(client: &Client) -> anyhow::Result<DistrictHub> {
    let hub = client.district()?;
    if client.is_read_only(hub.doc)? {
        bail!(read_only_message());
    }
    Ok(hub)
}

fn read_only_message() -> &'static str {
    "the hub lets this device's token only read the district directory (a district-viewer \
     token); nothing was changed. The district admin makes this change with their own token"
}

/// A write error, with the read-only refusal said in the district's words.
fn write_err(e: ClientError) -> anyhow::Error {
    match e {
        ClientError::ReadOnly { .. } => anyhow::anyhow!(read_only_message()),
        e => e.into(),
    }
}

/// A street id as written in `street-relay` tokens' `street:ID` scope: no
/// commas, colons or spaces, which a scope could not carry.
fn street_id(text: &str) -> anyhow::Result<String> {
    let id = text.trim();
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        bail!(
            "{text:?} is not a street id: use letters, digits, '-', '_' or '.' (at most 64), \
             as in the street relay's token scope `street:ID`"
        );
    }
    Ok(id.to_owned())
}

/// Parses `STREET=COMMUNITY` and finds the community in that street's
/// directory (shared up to the hub), so a board never goes down to a
/// street the district does not list or a community the street lacks.
fn target(client: &Client, hub: &DistrictHub, text: &str) -> anyhow::Result<(String, CommunityId)> {
    let (street, community) = text
        .split_once('=')
        .with_context(|| format!("--to {text:?}: write STREET=COMMUNITY, e.g. xihu=西湖社区"))?;
    let street = street_id(street)?;
    if !hub.district.streets.contains_key(&street) {
        bail!(
            "no street {street} in the district directory; add it with `linli district add-street`"
        );
    }
    let dir = client.street_directory(hub, &street)?.with_context(|| {
        format!(
            "street {street}'s directory is not on this device yet: it reaches the hub once \
             that street's relay links up (`linli-relay --upstream`) and it was added with \
             `linli district add-street {street} --directory URL`; then run `linli sync`"
        )
    })?;
    let id = linli_records::lookup::community(&dir, community);
    let known = dir.communities.contains_key(&id)
        || dir.buildings.values().any(|b| b.community == id)
        || dir.boards.values().any(|b| b.community == id);
    if !known {
        bail!(
            "street {street} has no community {} (its communities: {})",
            community.trim(),
            dir.communities
                .values()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok((street, id))
}

#[cfg(test)]
mod tests {
    use super::street_id;

    #[test]
    fn a_street_id_must_fit_a_token_scope() {
        assert_eq!(street_id(" xihu ").unwrap(), "xihu");
        assert_eq!(street_id("西湖-2").unwrap(), "西湖-2");
        for bad in ["", "xi hu", "a,b", "street:a", &"x".repeat(65)] {
            assert!(street_id(bad).is_err(), "{bad:?}");
        }
    }
}
