//! `linli volunteer …`: a team's volunteers.

use std::process::ExitCode;

use linli_records::hours;
use linli_records::ids::VolunteerId;
use linli_records::team::{self, Volunteer};
use linli_records::vocab::{Affiliation, Availability};
use serde_json::json;

use super::Context;
use super::household::parse_word;
use super::lookup::{self, edit_err};
use super::output::{print_json, print_table};

const AFFILIATIONS: &[&str] = &[
    "resident",
    "in-service-party-member",
    "company",
    "school",
    "retired-cadre",
    "student",
];
const AVAILABILITY: &[&str] = &["weekends", "evenings", "weekdays", "any", "on-call"];

/// A volunteer's fields; on `edit`, only those given change.
#[derive(Debug, clap::Args)]
pub struct VolunteerFields {
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    /// resident, in-service-party-member, company, school, retired-cadre or student.
    #[arg(long)]
    affiliation: Option<String>,
    /// weekends, evenings, weekdays, any or on-call.
    #[arg(long)]
    availability: Option<String>,
    #[arg(long = "add-skill")]
    add_skills: Vec<String>,
    #[arg(long = "remove-skill")]
    remove_skills: Vec<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum VolunteerCommand {
    /// Add a volunteer to a team (--name and --phone required); prints the id.
    Add {
        /// The team (id or name).
        #[arg(long)]
        team: String,
        /// The volunteer's id (derived from team, name and phone when not given).
        #[arg(long)]
        id: Option<String>,
        #[command(flatten)]
        fields: VolunteerFields,
    },
    /// Change a volunteer's fields.
    Edit {
        id: String,
        #[command(flatten)]
        fields: VolunteerFields,
    },
    /// Remove a volunteer who left the team (their logged hours stay, so
    /// past figures do not change).
    Remove { id: String },
    /// List volunteers.
    List {
        /// Only this team (id or name).
        #[arg(long)]
        team: Option<String>,
        /// Only volunteers with this skill.
        #[arg(long)]
        skill: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

impl VolunteerFields {
    fn apply(self, v: &mut Volunteer) -> anyhow::Result<()> {
        if let Some(n) = self.name {
            v.name = n.trim().to_owned();
        }
        if let Some(p) = self.phone {
            v.phone = p.trim().to_owned();
        }
        if let Some(a) = self.affiliation {
            v.affiliation = parse_word("affiliation", &a, Affiliation::parse, AFFILIATIONS)?;
        }
        if let Some(a) = self.availability {
            v.availability = parse_word("availability", &a, Availability::parse, AVAILABILITY)?;
        }
        for s in self.add_skills {
            v.skills.insert(s.trim().to_owned());
        }
        for s in self.remove_skills {
            v.skills.remove(s.trim());
        }
        Ok(())
    }
}

pub fn run(ctx: &Context, command: VolunteerCommand) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let teams = client.teams(&street)?;
    match command {
        VolunteerCommand::Add { team, id, fields } => {
            let tid = lookup::team(&street.directory, &team)?;
            let Some(t) = teams.iter().find(|t| t.id == tid) else {
                anyhow::bail!("team {team}'s document is not on this device yet; run `linli sync`");
            };
            let (Some(name), Some(phone)) = (fields.name.clone(), fields.phone.clone()) else {
                anyhow::bail!("a new volunteer needs --name and --phone");
            };
            let mut v = Volunteer {
                name: name.trim().to_owned(),
                phone: phone.trim().to_owned(),
                affiliation: Affiliation::Resident,
                skills: Default::default(),
                availability: Availability::Any,
            };
            fields.apply(&mut v)?;
            let vid = match id {
                Some(id) => VolunteerId::new(id.trim())?,
                None => VolunteerId::derive(&t.value.team.name, &v.name, &v.phone),
            };
            if let Ok((other, ..)) = lookup::volunteer(&teams, vid.as_str()) {
                anyhow::bail!(
                    "volunteer {vid} already exists in team {}",
                    other.value.team.name
                );
            }
            client.change(t.doc, |tx| {
                team::put_volunteer(tx, &vid, &v).map_err(edit_err)
            })?;
            println!("{vid}");
        }
        VolunteerCommand::Edit { id, fields } => {
            let (t, vid, current) = lookup::volunteer(&teams, &id)?;
            let mut v = current.clone();
            fields.apply(&mut v)?;
            if v == *current {
                println!("nothing to change");
                return Ok(ExitCode::SUCCESS);
            }
            client.change(t.doc, |tx| {
                team::put_volunteer(tx, &vid, &v).map_err(edit_err)
            })?;
            println!("volunteer {vid} saved");
        }
        VolunteerCommand::Remove { id } => {
            let (t, vid, _) = lookup::volunteer(&teams, &id)?;
            client.change(t.doc, |tx| {
                team::remove_volunteer(tx, &vid).map_err(edit_err)
            })?;
            println!("volunteer {vid} removed from {}", t.value.team.name);
        }
        VolunteerCommand::List { team, skill, json } => {
            // Hours on the boards this device holds, and in old team logs.
            let boards: Vec<_> = client
                .boards(&street)?
                .into_iter()
                .map(|b| b.value)
                .collect();
            let team_docs: Vec<_> = teams.iter().map(|t| t.value.clone()).collect();
            let logged = hours::all_hours(&boards, &team_docs);
            let only = team
                .map(|t| lookup::team(&street.directory, &t))
                .transpose()?;
            let mut out = Vec::new();
            let mut rows = Vec::new();
            for t in &teams {
                if only.as_ref().is_some_and(|o| *o != t.id) {
                    continue;
                }
                for (id, v) in &t.value.volunteers {
                    if skill.as_ref().is_some_and(|s| !v.skills.contains(s.trim())) {
                        continue;
                    }
                    let minutes: u64 = logged
                        .iter()
                        .filter(|h| h.volunteer == *id)
                        .map(|h| u64::from(h.minutes))
                        .sum();
                    rows.push(vec![
                        id.to_string(),
                        t.value.team.name.clone(),
                        v.name.clone(),
                        v.phone.clone(),
                        v.affiliation.to_string(),
                        v.availability.to_string(),
                        v.skills.iter().cloned().collect::<Vec<_>>().join(","),
                        format!("{:.1}", minutes as f64 / 60.0),
                    ]);
                    out.push(json!({
                        "id": id, "team": t.id, "team_name": t.value.team.name,
                        "volunteer": v, "service_minutes": minutes,
                    }));
                }
            }
            if json {
                print_json(&out)?;
            } else {
                print_table(
                    &[
                        "VOLUNTEER",
                        "TEAM",
                        "NAME",
                        "PHONE",
                        "AFFILIATION",
                        "AVAILABLE",
                        "SKILLS",
                        "HOURS",
                    ],
                    &rows,
                );
                println!("{} volunteer(s)", rows.len());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
