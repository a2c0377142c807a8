//! The measurement behind the memory budget's figures (`doc_actor/footprint.rs`),
//! kept as a test so the figures stay true when automerge or the records
//! change: buildings of the project's street generator, loaded and edited
//! under the relay's own counting allocator.
//!
//! `cargo test -p linli-server --test document_memory -- --nocapture`
//! prints what it measured.

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ROOT};
use linli_gen::{DEFAULT_SEED, Preset, generate};
use linli_records::import_csv::{ImportLimits, apply_building_import, parse_residents};
use linli_server::doc_actor::Footprint;
use linli_server::doc_actor::footprint::GROWTH_PER_STORED_BYTE;
use linli_server::heap::{CountingAllocator, measure};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Buildings of the generator's street as the import makes them, each one
/// change (the street preset's buildings have the same shape; the
/// community preset is smaller to generate).
fn buildings(n: usize) -> Vec<Automerge> {
    let street = generate(Preset::Community.shape(), DEFAULT_SEED);
    let import = parse_residents(street.residents_csv.as_bytes(), &ImportLimits::up_to(2026))
        .expect("the generator's rows parse");
    import
        .buildings
        .iter()
        .take(n)
        .map(|b| {
            let mut doc = Automerge::new();
            let mut tx = doc.transaction();
            apply_building_import(&mut tx, b).expect("the generator's buildings import");
            tx.commit();
            doc
        })
        .collect()
}

#[test]
fn a_loaded_building_is_measured_and_the_fallback_and_growth_figures_cover_it() {
    ALLOCATOR.installed();
    for building in buildings(5) {
        let saved = building.save();
        let (loaded, measured) = measure(|| Automerge::load(&saved).expect("loads"));
        let measured = measured.expect("the counting allocator is installed");
        let estimated = Footprint::loaded(&loaded, None).bytes();
        println!(
            "building: {} bytes stored, {measured} bytes loaded, fallback estimate {estimated}",
            saved.len()
        );
        assert!(
            measured > saved.len() as u64,
            "a loaded document holds more than its compressed bytes"
        );
        assert!(
            estimated >= measured,
            "the fallback estimate ({estimated}) covers the measured {measured}"
        );

        // The import, applied as the one change a device sends.
        let change = building.save_after(&[]);
        let mut empty = Automerge::new();
        let (_, grew) = measure(|| empty.load_incremental(&change).expect("applies"));
        let grew = grew.expect("installed");
        println!(
            "  its import change: {} bytes stored, memory grew {grew}",
            change.len()
        );
        assert!(grew <= GROWTH_PER_STORED_BYTE * change.len() as u64);
    }
}

#[test]
fn small_edits_grow_a_loaded_building_by_less_than_the_growth_figure() {
    ALLOCATOR.installed();
    let mut building = buildings(1).remove(0);
    let mut loaded = Automerge::load(&building.save()).expect("loads");
    let mut stored = 0;
    let mut grew = 0;
    for n in 0..500_u64 {
        let heads = building.get_heads();
        let mut tx = building.transaction();
        let visit = tx
            .put_object(ROOT, format!("visit{}", n % 50), ObjType::Map)
            .expect("edits");
        tx.put(&visit, "note", format!("visited, all well ({n})"))
            .expect("edits");
        tx.put(&visit, "at", n as i64 * 86_400_000).expect("edits");
        tx.commit();
        let change = building.save_after(&heads);
        stored += change.len() as u64;
        let (_, by) = measure(|| loaded.load_incremental(&change).expect("applies"));
        grew += by.expect("installed");
    }
    println!("500 small edits: {stored} bytes stored, memory grew {grew}");
    assert!(grew <= GROWTH_PER_STORED_BYTE * stored);
    let (reloaded, measured) = measure(|| Automerge::load(&loaded.save()).expect("loads"));
    let measured = measured.expect("installed");
    println!("  reloaded: {measured} bytes");
    assert!(Footprint::loaded(&reloaded, None).bytes() >= measured);
}
