//! The storage conformance suite, run on SQLite: the relay's store (with
//! the audit log) and a device's (without).

use linli_store::{SqliteBackend, Store, conformance};

#[test]
fn sqlite_relay_store_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    futures::executor::block_on(conformance::run(|| {
        n += 1;
        let store = Store::open_relay(&dir.path().join(format!("{n}.sqlite"))).unwrap();
        std::future::ready(SqliteBackend::new(store))
    }));
}

#[test]
fn sqlite_device_store_passes_the_conformance_suite_without_audit() {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    futures::executor::block_on(conformance::run_without_audit(|| {
        n += 1;
        let path = dir.path().join(format!("{n}.sqlite"));
        std::future::ready(SqliteBackend::open(&path).unwrap())
    }));
}
