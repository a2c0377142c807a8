//! `linli-relay token create`.
//!
//! Standard output is the secret alone, so `SECRET=$(linli-relay token
//! create …)` keeps working; everything for people (the note, the sign-in
//! link and its QR code) goes to standard error.

use anyhow::Context as _;
use linli_protocol::DocumentId;
use linli_server::admin;
use linli_server::auth::Role;
use linli_server::sign_in_link::{app_url, sign_in_link, terminal_qr};

/// Make a token and print it (once). With --public-url, also print a
/// sign-in link for the field app and draw it as a QR code (on standard
/// error; the link holds the token, so treat it as the token itself).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// street-admin, grid-worker, building-head, volunteer, team-leader or viewer.
    #[arg(long)]
    role: Role,
    /// Comma-separated building:ID, community:ID, team:ID items.
    #[arg(long, default_value = "")]
    scope: String,
    /// A name for the person or device, unique on this relay.
    #[arg(long)]
    name: String,
    /// Where phones open the field app: this relay's address as they reach
    /// it, e.g. https://linli.example.org. Makes a sign-in link.
    #[arg(long, env = "LINLI_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,
    /// The person id the device writes as (what the CLI's --as is); in the
    /// sign-in link. Default: the token's --name.
    #[arg(long, value_name = "ID")]
    person: Option<String>,
}

pub fn run(config: &linli_server::Config, args: Args) -> anyhow::Result<()> {
    if let Some(url) = &args.public_url {
        app_url(url)?;
    }
    let (directory, secret) = super::with_storage(config, async |store| {
        // The street's directory, as the relay itself decides it: the
        // --directory flag (or LINLI_DIRECTORY) wins over the stored setting.
        let directory = match &config.directory {
            Some(url) => Some(DocumentId::parse_id_or_url(url).context("--directory")?),
            None => store.directory().await?,
        };
        let secret = admin::create_token_in(
            store,
            &args.name,
            args.role,
            &args.scope,
            linli_server::wall_clock_millis(),
        )
        .await?;
        Ok((directory, secret))
    })?;
    println!("{secret}");
    eprintln!(
        "token {:?} ({}) created; it is shown only this once",
        args.name, args.role
    );
    let Some(public_url) = args.public_url else {
        return Ok(());
    };
    let Some(directory) = directory else {
        eprintln!(
            "no sign-in link: this relay has no street directory yet, and the app needs it. \
             Run `linli-relay directory set automerge:…` first, then make this person a new \
             token with --public-url (and revoke this one)."
        );
        return Ok(());
    };
    let person = args.person.as_deref().unwrap_or(&args.name);
    let link = match sign_in_link(&public_url, &secret, &directory, person) {
        Ok(link) => link,
        Err(e) => {
            // The token exists now: say why there is no link, but succeed,
            // so its secret above is not taken for a failure and lost.
            eprintln!("no sign-in link: {e}");
            return Ok(());
        }
    };
    eprintln!("sign-in link for {person:?}: open it on the phone, or scan the code below");
    eprintln!("{link}");
    match terminal_qr(&link) {
        Some(qr) => eprintln!("{qr}"),
        None => eprintln!("(the link is too long for a QR code)"),
    }
    Ok(())
}
