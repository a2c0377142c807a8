//! Realistic documents for the workloads: building documents imported from
//! linli-gen's synthetic street through linli's own CSV import, exactly as
//! a building head's device would make them.

use anyhow::bail;
use automerge::Automerge;
use automerge::transaction::Transactable;
use linli_gen::Preset;
use linli_protocol::DocumentId;
use linli_records::import_csv::{ImportLimits, apply_building_import, parse_residents};

/// One building document and its number of households.
pub struct BuildingDoc {
    pub id: DocumentId,
    pub doc: Automerge,
    pub households: usize,
}

/// Generates the `preset` street from `seed` and imports every building.
pub fn street(preset: Preset, seed: u64) -> anyhow::Result<Vec<BuildingDoc>> {
    let generated = linli_gen::generate(preset.shape(), seed);
    let csv = generated.residents_csv.as_bytes();
    let import = parse_residents(csv, &ImportLimits::up_to(2026))?;
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

/// One document holding the first `households` households of the `preset`
/// street (several buildings' worth, as one large compound's document).
pub fn big_building(preset: Preset, seed: u64, households: usize) -> anyhow::Result<BuildingDoc> {
    let generated = linli_gen::generate(preset.shape(), seed);
    let import = parse_residents(
        generated.residents_csv.as_bytes(),
        &ImportLimits::up_to(2026),
    )?;
    let Some(first) = import.buildings.first() else {
        bail!("the generator wrote no building");
    };
    let mut merged = first.clone();
    merged.households = import
        .buildings
        .iter()
        .flat_map(|b| b.households.iter().cloned())
        .take(households)
        .collect();
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    apply_building_import(&mut tx, &merged)?;
    tx.commit();
    Ok(BuildingDoc {
        id: DocumentId::random(&mut rand::rng()),
        doc,
        households: merged.households.len(),
    })
}
