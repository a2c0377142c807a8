//! The `linli` command line: global options, the subcommands (one file
//! each under `cli/`), and how errors map to exit codes.

mod conflicts;
mod district;
mod doc;
mod export;
mod history;
mod hours;
mod household;
mod import;
mod init;
mod lookup;
mod member;
mod notice;
mod output;
mod service;
mod stats;
mod status;
mod street;
mod sync;
mod task;
mod visit;
mod volunteer;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use linli_client::{Client, ClientError, RelayTarget};

/// Exit code when a sync could not confirm everything (or reach the relay).
pub const EXIT_SYNC_INCOMPLETE: u8 = 2;

/// Exit code when the street office revoked this device's token: retrying
/// cannot help, so scripts can tell it from a relay that is down.
pub const EXIT_TOKEN_REVOKED: u8 = 3;

/// linli (邻里): a street's household and volunteer records, kept on this
/// device, editable offline, synced through the street's relay.
#[derive(Debug, Parser)]
#[command(name = "linli", version, propagate_version = true)]
pub struct Cli {
    /// Directory holding this device's data (linli.sqlite).
    /// [default: $HOME/.local/share/linli]
    #[arg(long, global = true, env = "LINLI_DIR", value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Bearer token for the relay (never printed or logged).
    #[arg(
        long,
        global = true,
        env = "LINLI_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<String>,

    /// Who is using this device: a person id (for a volunteer, their
    /// volunteer id). Recorded on visits and task events; `linli init`
    /// remembers it.
    #[arg(long = "as", global = true, env = "LINLI_AS", value_name = "PERSON_ID")]
    pub person: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(init::Args),
    /// Create, show and edit documents.
    #[command(subcommand)]
    Doc(doc::DocCommand),
    Sync(sync::Args),
    Status(status::Args),
    History(history::Args),
    /// Set up the street: its directory, buildings, teams and task boards.
    #[command(subcommand)]
    Street(street::StreetCommand),
    Import(import::Args),
    /// List, show and edit households.
    #[command(subcommand)]
    Household(household::HouseholdCommand),
    /// Add, edit and remove a household's members.
    #[command(subcommand)]
    Member(member::MemberCommand),
    /// Record visits to households.
    #[command(subcommand)]
    Visit(visit::VisitCommand),
    /// Raise, claim, work on and rate tasks.
    #[command(subcommand)]
    Task(task::TaskCommand),
    /// Add, edit, remove and list volunteers.
    #[command(subcommand)]
    Volunteer(volunteer::VolunteerCommand),
    /// Log, list and remove service hours.
    #[command(subcommand)]
    Hours(hours::HoursCommand),
    /// The services list: publish, request, accept or decline.
    #[command(subcommand)]
    Service(service::ServiceCommand),
    /// The district hub's directory: its streets, and task boards shared
    /// down to them (district admin; a district viewer only reads).
    #[command(subcommand)]
    District(district::DistrictCommand),
    /// Notices to building heads: publish, list, mark read.
    #[command(subcommand)]
    Notice(notice::NoticeCommand),
    Conflicts(conflicts::Args),
    Resolve(conflicts::ResolveArgs),
    Export(export::Args),
    Stats(stats::Args),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ctx = Context::new(&cli)?;
    match cli.command {
        Command::Init(args) => init::run(&ctx, args),
        Command::Doc(command) => doc::run(&ctx, command),
        Command::Sync(args) => sync::run(&ctx, args),
        Command::Status(args) => status::run(&ctx, args),
        Command::History(args) => history::run(&ctx, args),
        Command::Street(command) => street::run(&ctx, command),
        Command::Import(args) => import::run(&ctx, args),
        Command::Household(command) => household::run(&ctx, command),
        Command::Member(command) => member::run(&ctx, command),
        Command::Visit(command) => visit::run(&ctx, command),
        Command::Task(command) => task::run(&ctx, command),
        Command::Volunteer(command) => volunteer::run(&ctx, command),
        Command::Hours(command) => hours::run(&ctx, command),
        Command::Service(command) => service::run(&ctx, command),
        Command::Notice(command) => notice::run(&ctx, command),
        Command::District(command) => district::run(&ctx, command),
        Command::Conflicts(args) => conflicts::run(&ctx, args),
        Command::Resolve(args) => conflicts::resolve(&ctx, args),
        Command::Export(args) => export::run(&ctx, args),
        Command::Stats(args) => stats::run(&ctx, args),
    }
}

/// What every subcommand needs: where the data is, and the token.
pub struct Context {
    pub dir: PathBuf,
    pub token: Option<String>,
    /// `--as`, when given.
    pub person: Option<String>,
}

impl Context {
    fn new(cli: &Cli) -> anyhow::Result<Self> {
        let dir = match &cli.dir {
            Some(dir) => dir.clone(),
            None => default_dir()?,
        };
        Ok(Self {
            dir,
            token: cli.token.clone().filter(|t| !t.is_empty()),
            person: cli.person.clone().filter(|p| !p.trim().is_empty()),
        })
    }

    /// Opens (creating if needed) the client in the data directory. Its
    /// changes are signed with who uses the device, when that is known.
    pub fn open(&self) -> anyhow::Result<Client> {
        let client = Client::open(&self.dir)
            .with_context(|| format!("cannot open linli data in {}", self.dir.display()))?;
        let author = match &self.person {
            Some(person) => Some(person.trim().to_owned()),
            None => client.person_id()?,
        };
        client.set_author(author.as_deref());
        Ok(client)
    }

    /// The configured relay, with the token if one was given.
    pub fn relay(&self, client: &Client) -> anyhow::Result<Option<RelayTarget>> {
        let Some(url) = client.relay()? else {
            return Ok(None);
        };
        let target = RelayTarget::new(&url)?;
        let token = match &self.token {
            Some(token) => Some(token.clone()),
            None => client.token()?,
        };
        Ok(Some(match token {
            Some(token) => target.with_token(token),
            None => target,
        }))
    }

    /// Who uses this device: `--as`, else the id `linli init --as` saved.
    pub fn person(&self, client: &Client) -> anyhow::Result<String> {
        if let Some(person) = &self.person {
            return Ok(person.trim().to_owned());
        }
        client.person_id()?.context(
            "who are you? pass --as PERSON_ID (a volunteer passes their volunteer id), \
             or remember it on this device with `linli init --relay URL --as PERSON_ID`",
        )
    }

    /// The street directory, asking for any of its documents missing here.
    pub fn street(&self, client: &Client) -> anyhow::Result<linli_client::records::Street> {
        let street = client.street()?;
        client.want_street_documents(&street)?;
        Ok(street)
    }

    /// A runtime for the commands that talk to the relay.
    pub fn runtime(&self) -> anyhow::Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")
    }
}

fn default_dir() -> anyhow::Result<PathBuf> {
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .context("no --dir given, LINLI_DIR is not set and neither is HOME")?;
    Ok(PathBuf::from(home).join(".local/share/linli"))
}

/// 2 for a sync that could not confirm everything, 1 for anything else.
pub fn exit_code_for(err: &anyhow::Error) -> ExitCode {
    match err.downcast_ref::<ClientError>() {
        Some(ClientError::SyncIncomplete { .. } | ClientError::Connect { .. }) => {
            ExitCode::from(EXIT_SYNC_INCOMPLETE)
        }
        Some(ClientError::TokenRevoked) => ExitCode::from(EXIT_TOKEN_REVOKED),
        _ => ExitCode::FAILURE,
    }
}

#[cfg(test)]
mod tests;
