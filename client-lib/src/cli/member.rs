//! `linli member …`: a household's residents.

use std::process::ExitCode;

use linli_records::building::{self, Member};
use linli_records::ids::MemberId;
use linli_records::vocab::{Gender, Relation};

use super::Context;
use super::household::parse_word;
use super::lookup::{self, edit_err};

const RELATIONS: &[&str] = &["head", "spouse", "child", "parent", "grandchild", "other"];
const GENDERS: &[&str] = &["M", "F"];

/// A member's fields; on `edit`, only those given change.
#[derive(Debug, clap::Args)]
pub struct MemberFields {
    #[arg(long)]
    name: Option<String>,
    /// M or F (男 or 女); empty to clear.
    #[arg(long)]
    gender: Option<String>,
    #[arg(long)]
    birth_year: Option<i32>,
    /// Empty to clear.
    #[arg(long)]
    phone: Option<String>,
    /// head, spouse, child, parent, grandchild or other.
    #[arg(long)]
    relation: Option<String>,
    #[arg(long = "add-tag")]
    add_tags: Vec<String>,
    #[arg(long = "remove-tag")]
    remove_tags: Vec<String>,
    #[arg(long)]
    note: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum MemberCommand {
    /// Add a resident to a household (--name and --birth-year required).
    Add {
        household: String,
        #[command(flatten)]
        fields: MemberFields,
    },
    /// Change a resident's fields.
    Edit {
        household: String,
        member: String,
        #[command(flatten)]
        fields: MemberFields,
    },
    /// Remove a resident.
    Remove { household: String, member: String },
}

impl MemberFields {
    fn apply(self, m: &mut Member) -> anyhow::Result<()> {
        if let Some(name) = self.name {
            m.name = name.trim().to_owned();
        }
        if let Some(g) = self.gender {
            m.gender = match g.trim() {
                "" => None,
                g => Some(parse_word("gender", g, Gender::parse, GENDERS)?),
            };
        }
        if let Some(y) = self.birth_year {
            m.birth_year = y;
        }
        if let Some(p) = self.phone {
            m.phone = Some(p.trim().to_owned()).filter(|p| !p.is_empty());
        }
        if let Some(r) = self.relation {
            m.relation = parse_word("relation", &r, Relation::parse, RELATIONS)?;
        }
        for t in self.add_tags {
            m.tags.insert(t.trim().to_owned());
        }
        for t in self.remove_tags {
            m.tags.remove(t.trim());
        }
        if let Some(n) = self.note {
            m.note = n;
        }
        Ok(())
    }
}

pub fn run(ctx: &Context, command: MemberCommand) -> anyhow::Result<ExitCode> {
    let client = ctx.open()?;
    let street = ctx.street(&client)?;
    let buildings = client.buildings(&street)?;
    match command {
        MemberCommand::Add { household, fields } => {
            let (b, hid, hh) = lookup::household(&buildings, &household)?;
            let (Some(name), Some(year)) = (fields.name.clone(), fields.birth_year) else {
                anyhow::bail!("a new member needs --name and --birth-year");
            };
            let mut member = Member {
                name: name.trim().to_owned(),
                gender: None,
                birth_year: year,
                phone: None,
                relation: Relation::Other,
                tags: Default::default(),
                note: String::new(),
            };
            fields.apply(&mut member)?;
            let mid = MemberId::derive(&hid, &member.name, member.birth_year);
            if hh.members.contains_key(&mid) {
                anyhow::bail!(
                    "household {hid} already has {} born {} ({mid})",
                    member.name,
                    member.birth_year
                );
            }
            client.change(b.doc, |tx| {
                building::put_member(tx, &hid, &mid, &member).map_err(edit_err)
            })?;
            println!("{mid}");
        }
        MemberCommand::Edit {
            household,
            member,
            fields,
        } => {
            let (b, hid, hh) = lookup::household(&buildings, &household)?;
            let mid = MemberId::new(member.trim())?;
            let Some(current) = hh.members.get(&mid) else {
                anyhow::bail!(
                    "household {hid} has no member {mid} (see `linli household show {hid}`)"
                );
            };
            let mut updated = current.clone();
            fields.apply(&mut updated)?;
            if updated == *current {
                println!("nothing to change");
                return Ok(ExitCode::SUCCESS);
            }
            client.change(b.doc, |tx| {
                building::put_member(tx, &hid, &mid, &updated).map_err(edit_err)
            })?;
            println!("member {mid} saved");
        }
        MemberCommand::Remove { household, member } => {
            let (b, hid, hh) = lookup::household(&buildings, &household)?;
            let mid = MemberId::new(member.trim())?;
            if !hh.members.contains_key(&mid) {
                anyhow::bail!("household {hid} has no member {mid}");
            }
            client.change(b.doc, |tx| {
                building::remove_member(tx, &hid, &mid).map_err(edit_err)
            })?;
            println!("member {mid} removed");
        }
    }
    Ok(ExitCode::SUCCESS)
}
