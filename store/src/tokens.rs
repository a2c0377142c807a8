//! The relay's access tokens. Only a hash of each token is stored; the
//! token itself is shown once, when it is made.

use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError};

/// One token as stored: who it is for and what it may do, never the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub name: String,
    /// The role's name, e.g. `building-head`; interpreted by the relay.
    pub role: String,
    /// The scope, as text; interpreted by the relay.
    pub scope: String,
    /// SHA-256 of the token.
    pub hash: Vec<u8>,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

impl std::fmt::Debug for TokenRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenRecord")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("scope", &self.scope)
            .field("hash", &"<redacted>")
            .field("created_at", &self.created_at)
            .field("revoked_at", &self.revoked_at)
            .finish()
    }
}

const COLUMNS: &str = "name, role, scope, hash, created_at, revoked_at";

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRecord> {
    Ok(TokenRecord {
        name: row.get(0)?,
        role: row.get(1)?,
        scope: row.get(2)?,
        hash: row.get(3)?,
        created_at: row.get(4)?,
        revoked_at: row.get(5)?,
    })
}

impl Store {
    /// Stores a new token. Fails with [`StoreError::TokenNameTaken`] if the
    /// name is in use (revoked tokens keep their names).
    pub fn token_insert(&mut self, token: &TokenRecord) -> Result<(), StoreError> {
        let taken: Option<i64> = self
            .conn
            .query_row("SELECT 1 FROM tokens WHERE name = ?1", [&token.name], |r| {
                r.get(0)
            })
            .optional()?;
        if taken.is_some() {
            return Err(StoreError::TokenNameTaken(token.name.clone()));
        }
        self.conn.execute(
            "INSERT INTO tokens (name, role, scope, hash, created_at, revoked_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                token.name,
                token.role,
                token.scope,
                token.hash,
                token.created_at,
                token.revoked_at
            ],
        )?;
        Ok(())
    }

    /// Every token, oldest first, revoked ones included.
    pub fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM tokens ORDER BY id"))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The token with this hash, if any (revoked or not).
    pub fn token_by_hash(&self, hash: &[u8]) -> Result<Option<TokenRecord>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM tokens WHERE hash = ?1"),
                [hash],
                from_row,
            )
            .optional()?)
    }

    /// Marks the named token revoked at `at`; returns false if there is no
    /// live token of that name.
    pub fn token_revoke(&mut self, name: &str, at: i64) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE tokens SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
            params![name, at],
        )?;
        Ok(n > 0)
    }

    /// Changes the scope of the named live token; returns false if none.
    pub fn token_set_scope(&mut self, name: &str, scope: &str) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE tokens SET scope = ?2 WHERE name = ?1 AND revoked_at IS NULL",
            params![name, scope],
        )?;
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::temp_store;

    fn token(name: &str, hash: u8) -> TokenRecord {
        TokenRecord {
            name: name.into(),
            role: "building-head".into(),
            scope: "building:b1".into(),
            hash: vec![hash; 32],
            created_at: 1,
            revoked_at: None,
        }
    }

    #[test]
    fn tokens_are_found_by_hash_and_revoked_by_name() {
        let (_dir, mut store) = temp_store();
        store.token_insert(&token("wang", 1)).unwrap();
        store.token_insert(&token("li", 2)).unwrap();
        assert_eq!(store.token_by_hash(&[2; 32]).unwrap().unwrap().name, "li");
        assert!(store.token_by_hash(&[3; 32]).unwrap().is_none());
        assert!(store.token_revoke("wang", 5).unwrap());
        assert!(!store.token_revoke("wang", 6).unwrap());
        let wang = store.token_by_hash(&[1; 32]).unwrap().unwrap();
        assert_eq!(wang.revoked_at, Some(5));
        assert_eq!(store.tokens().unwrap().len(), 2);
    }

    #[test]
    fn token_names_are_unique() {
        let (_dir, mut store) = temp_store();
        store.token_insert(&token("wang", 1)).unwrap();
        assert!(matches!(
            store.token_insert(&token("wang", 2)),
            Err(StoreError::TokenNameTaken(_))
        ));
    }

    #[test]
    fn debug_output_never_shows_the_hash() {
        let t = token("wang", 0xab);
        assert!(!format!("{t:?}").contains("171"));
        assert!(format!("{t:?}").contains("redacted"));
    }

    #[test]
    fn data_version_moves_when_another_connection_writes() {
        let (dir, store) = temp_store();
        let before = store.data_version().unwrap();
        let mut other = Store::open(&dir.path().join("store.sqlite")).unwrap();
        other.token_insert(&token("x", 9)).unwrap();
        assert_ne!(store.data_version().unwrap(), before);
    }
}
