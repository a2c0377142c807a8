//! `linli stats`: workload, completion, time to close, ratings and service
//! hours of a community, a team or a volunteer, from the boards and teams
//! on this device.

use std::process::ExitCode;

use anyhow::bail;
use linli_records::figures::{Period, ResponseTargets, Scope, figures};
use linli_records::ids::VolunteerId;
use serde_json::json;

use super::Context;
use super::lookup;
use super::output::{days, format_date, now_ms, parse_date, print_json};

/// Figures for one community, team or volunteer over a period (whole UTC
/// days, both ends included; by default everything up to today).
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["street", "community", "team", "volunteer"])))]
pub struct Args {
    /// The whole street: every board and team on this device.
    #[arg(long)]
    pub street: bool,
    /// A community (id or name).
    #[arg(long)]
    pub community: Option<String>,
    /// A team (id or name).
    #[arg(long)]
    pub team: Option<String>,
    /// A volunteer's id.
    #[arg(long)]
    pub volunteer: Option<String>,
    /// First day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let scope = match (&args.community, &args.team, &args.volunteer) {
        _ if args.street => Scope::Street,
        (Some(c), _, _) => Scope::Community(lookup::community(&street.directory, c)),
        (_, Some(t), _) => Scope::Team(lookup::team(&street.directory, t)?),
        (_, _, Some(v)) => Scope::Volunteer(VolunteerId::new(v.trim())?),
        _ => bail!("say whose figures: --community, --team or --volunteer"),
    };
    let from = args
        .from
        .as_deref()
        .map(parse_date)
        .transpose()?
        .unwrap_or(0);
    let to = match args.to.as_deref() {
        Some(d) => parse_date(d)? + days(1),
        None => parse_date(&format_date(now_ms()))? + days(1),
    };
    if to <= from {
        bail!("--to is before --from");
    }
    let period = Period { from, to };
    let boards: Vec<_> = client
        .boards(&street)?
        .into_iter()
        .map(|b| b.value)
        .collect();
    let teams: Vec<_> = client
        .teams(&street)?
        .into_iter()
        .map(|t| t.value)
        .collect();
    let targets = ResponseTargets::from_directory(&street.directory);
    let f = figures(&boards, &teams, &scope, period, &targets);
    if args.json {
        print_json(&json!({
            "scope": scope,
            "from": format_date(from),
            "to": format_date(to - 1),
            "figures": f,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let pct = |x: Option<f64>| x.map_or("—".to_owned(), |x| format!("{:.0}%", x * 100.0));
    println!(
        "period:               {} to {}",
        format_date(from),
        format_date(to - 1)
    );
    println!("tasks raised:         {}", f.tasks_raised);
    println!("tasks done:           {}", f.tasks_done);
    println!("tasks cancelled:      {}", f.tasks_cancelled);
    println!("completion rate:      {}", pct(f.completion_rate));
    let duration = |ms: Option<i64>| {
        ms.map_or("—".to_owned(), |ms| {
            linli_client::sync::human_duration(std::time::Duration::from_millis(ms.max(0) as u64))
        })
    };
    println!(
        "first response:       {} median, {} at p90 ({} answered)",
        duration(f.median_first_response_ms),
        duration(f.p90_first_response_ms),
        f.responses
    );
    println!(
        "answered in target:   {}",
        pct(f.within_response_target_share)
    );
    println!(
        "time to close:        {} median, {} at p90",
        duration(f.median_close_ms),
        duration(f.p90_close_ms)
    );
    println!("done by deadline:     {}", pct(f.within_deadline_share));
    println!(
        "rating:               {} ({} rated)",
        f.average_rating
            .map_or("—".to_owned(), |r| format!("{r:.1}★")),
        f.ratings
    );
    println!("service hours:        {:.1}", f.service_hours());
    for (provider, n) in &f.services_delivered {
        let name = street
            .directory
            .teams
            .get(provider)
            .map_or(provider.as_str(), |t| t.name.as_str());
        println!("services delivered:   {n} by {name}");
    }
    Ok(ExitCode::SUCCESS)
}
