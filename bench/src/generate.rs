//! `linli-bench gen`: writes a synthetic street's `residents.csv` and
//! `volunteers.csv` to a folder, for trying `linli import` by hand or
//! loading a relay with realistic data. The same seed writes the same bytes.

use std::path::PathBuf;

use anyhow::Context;
use linli_gen::{DEFAULT_SEED, Preset, Shape};

/// The street to write and where.
#[derive(clap::Args)]
pub struct Args {
    /// building (1 building, 60 households), community (30 buildings) or
    /// street (7 communities × 30 buildings, 12,600 households).
    #[arg(long, default_value = "street")]
    preset: Preset,
    /// Communities in the street, instead of the preset's.
    #[arg(long)]
    communities: Option<u32>,
    /// Buildings per community, instead of the preset's.
    #[arg(long)]
    buildings: Option<u32>,
    /// Households per building, instead of the preset's.
    #[arg(long)]
    households: Option<u32>,
    /// Volunteers in total, instead of the preset's.
    #[arg(long)]
    volunteers: Option<u32>,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Folder to write the two files to (made if missing).
    #[arg(long, default_value = "street-data")]
    out: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let preset = args.preset.shape();
    let shape = Shape {
        communities: args.communities.unwrap_or(preset.communities),
        buildings_per_community: args.buildings.unwrap_or(preset.buildings_per_community),
        households_per_building: args.households.unwrap_or(preset.households_per_building),
        volunteers: args.volunteers.unwrap_or(preset.volunteers),
    };
    let street = linli_gen::generate(shape, args.seed);
    std::fs::create_dir_all(&args.out).with_context(|| format!("create {}", args.out.display()))?;
    for (name, text) in [
        ("residents.csv", &street.residents_csv),
        ("volunteers.csv", &street.volunteers_csv),
    ] {
        let path = args.out.join(name);
        std::fs::write(&path, text).with_context(|| format!("write {}", path.display()))?;
    }
    println!(
        "wrote {} households, {} residents, {} volunteers to {}",
        street.households,
        street.residents,
        street.volunteers,
        args.out.display()
    );
    Ok(())
}
