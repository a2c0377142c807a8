//! Whether the store can still take writes, for the relay's readiness.

use crate::{Store, StoreError};

impl Store {
    /// Tries a tiny write and rolls it back: fails when the database is
    /// read-only, locked beyond the busy timeout, or (for a capped store)
    /// full. Nothing is kept, so it can run as often as a probe asks.
    pub fn check_writable(&mut self) -> Result<(), StoreError> {
        // IMMEDIATE takes the write lock at once, as a real write would.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('linli.writable-probe', zeroblob(64)) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [],
        )?;
        tx.rollback()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::temp_store;

    #[test]
    fn a_writable_store_passes_and_keeps_nothing() {
        let (_dir, mut store) = temp_store();
        store.check_writable().unwrap();
        assert_eq!(store.meta_get("linli.writable-probe").unwrap(), None);
    }
}
