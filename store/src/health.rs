//! Whether the store can still take writes, for the relay's readiness.

use crate::{Store, StoreError};

/// Room a store must have to count as writable: a change this big must
/// fit. A tiny probe row would fit in a page the table already has, so a
/// store with no room left for any real change would still look writable.
pub const WRITABLE_HEADROOM_BYTES: i64 = 64 * 1024;

impl Store {
    /// Tries a write of [`WRITABLE_HEADROOM_BYTES`] and rolls it back:
    /// fails when the database is read-only, locked beyond the busy
    /// timeout, or (for a capped store) has no room for it. Nothing is
    /// kept, so it can run as often as a probe asks. (A disk that fills
    /// up under an uncapped store shows only when a write commits.)
    pub fn check_writable(&mut self) -> Result<(), StoreError> {
        // IMMEDIATE takes the write lock at once, as a real write would.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('linli.writable-probe', zeroblob(?1)) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [WRITABLE_HEADROOM_BYTES],
        )?;
        tx.rollback()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::temp_store;

    #[test]
    fn a_capped_store_without_room_for_a_change_is_not_writable() {
        let (dir, mut store) = temp_store();
        let cap = store.limit_size(0).unwrap();
        // Another connection (not capped) fills the file past the cap.
        let other = rusqlite::Connection::open(dir.path().join("store.sqlite")).unwrap();
        other
            .execute(
                "INSERT INTO meta (key, value) VALUES ('filler', zeroblob(?1))",
                [cap as i64 + super::WRITABLE_HEADROOM_BYTES],
            )
            .unwrap();
        assert_eq!(
            store.check_writable().unwrap_err().kind(),
            crate::ErrorKind::Full
        );
        // Room made (the pages go to the free list): writable again.
        other
            .execute("DELETE FROM meta WHERE key = 'filler'", [])
            .unwrap();
        store.check_writable().unwrap();
    }

    #[test]
    fn a_writable_store_passes_and_keeps_nothing() {
        let (_dir, mut store) = temp_store();
        store.check_writable().unwrap();
        assert_eq!(store.meta_get("linli.writable-probe").unwrap(), None);
    }
}
