//! The storage conformance suite, run on the in-memory backend: the same
//! checks SQLite passes, which also shows the suite assumes no SQLite.

use linli_store::{MemoryStore, conformance};

#[test]
fn memory_store_passes_the_conformance_suite() {
    futures::executor::block_on(conformance::run(|| std::future::ready(MemoryStore::new())));
}
