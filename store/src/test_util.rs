//! Helpers shared by the unit tests.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, Automerge, ChangeHash, ROOT, ReadDoc};
use linli_protocol::DocumentId;
use tempfile::TempDir;

use crate::Store;

/// A store in a fresh temporary directory (kept alive by the `TempDir`),
/// with the relay's tables too, so token and audit tests can use it.
pub fn temp_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_relay(&dir.path().join("store.sqlite")).unwrap();
    (dir, store)
}

/// A document id whose bytes are all `n`.
pub fn doc_id(n: u8) -> DocumentId {
    DocumentId::from_bytes([n; 16])
}

/// One small edit to `am`, returned as the incremental bytes to append.
pub fn edit(am: &mut AutoCommit, i: i64) -> Vec<u8> {
    am.put(ROOT, format!("key-{}", i % 17), i).unwrap();
    am.put(ROOT, "last", format!("value {i}")).unwrap();
    am.commit();
    am.save_incremental()
}

/// One edit holding `size` bytes of (poorly compressible) text.
pub fn big_edit(am: &mut AutoCommit, size: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let text: String = (0..size)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'a' + (x % 26) as u8)
        })
        .collect();
    am.put(ROOT, "big", text).unwrap();
    am.commit();
    am.save_incremental()
}

/// A document's heads, sorted for comparison.
pub fn sorted_heads(am: &Automerge) -> Vec<ChangeHash> {
    let mut heads = am.get_heads();
    heads.sort();
    heads
}

#[test]
fn helpers_make_distinct_ids_and_non_empty_edits() {
    assert_ne!(doc_id(1), doc_id(2));
    let mut am = AutoCommit::new();
    assert!(!edit(&mut am, 1).is_empty());
    assert_eq!(
        am.get(ROOT, "last")
            .unwrap()
            .map(|(v, _)| v.to_string())
            .as_deref(),
        Some("\"value 1\"")
    );
}
