//! Realistic documents for the workloads: building documents imported from
//! `shared/data/gen_street.py`'s synthetic street through linli's own CSV
//! import, exactly as a building head's device would make them.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use automerge::Automerge;
use automerge::transaction::Transactable;
use linli_protocol::DocumentId;
use linli_records::import_csv::{ImportLimits, apply_building_import, parse_residents};

/// One building document and its number of households.
pub struct BuildingDoc {
    pub id: DocumentId,
    pub doc: Automerge,
    pub households: usize,
}

/// The generator script, next to the project as DESIGN.md lays it out.
pub fn default_generator() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/gen_street.py")
}

/// Runs the generator with `preset` and imports every building it wrote.
pub fn street(generator: &Path, preset: &str) -> anyhow::Result<Vec<BuildingDoc>> {
    let out = tempfile::tempdir()?;
    let status = Command::new("python3")
        .arg(generator)
        .args(["--preset", preset, "--out"])
        .arg(out.path())
        .stdout(std::process::Stdio::null())
        .status()
        .with_context(|| format!("run {}", generator.display()))?;
    if !status.success() {
        bail!("{} --preset {preset} failed", generator.display());
    }
    let csv = std::fs::read(out.path().join("residents.csv"))?;
    let import = parse_residents(&csv, &ImportLimits::up_to(2026))?;
    if !import.rejected.is_empty() {
        bail!("the generator's rows were rejected: {:?}", import.rejected);
    }
    import
        .buildings
        .iter()
        .map(|b| {
            let mut doc = Automerge::new();
            let mut tx = doc.transaction();
            apply_building_import(&mut tx, b)?;
            tx.commit();
            Ok(BuildingDoc {
                id: DocumentId::random(&mut rand::rng()),
                doc,
                households: b.households.len(),
            })
        })
        .collect()
}

/// A small document (a few fields), as task boards and teams start out.
pub fn small_doc(n: u64) -> anyhow::Result<Automerge> {
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    tx.put(automerge::ROOT, "kind", "bench")?;
    tx.put(automerge::ROOT, "n", n)?;
    tx.put(automerge::ROOT, "seq", 0_u64)?;
    tx.commit();
    Ok(doc)
}
