//! The [`PgStore`] handle: a pool of connections to one database.

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use linli_store::StoreError;
use tokio_postgres::NoTls;

use crate::error;

/// Connections one store keeps at most. A hub's document tasks write in
/// parallel; more than this queue for a connection instead of crowding
/// PostgreSQL (whose default limit is 100 for every process together).
const MAX_CONNECTIONS: usize = 16;

/// A linli store on PostgreSQL: documents as chunks, store-wide and
/// per-document key/values, and the relay's tokens and audit log.
///
/// Cheap to clone (the pool is shared). Every write is one transaction;
/// its future resolves `Ok` after the `COMMIT` is durable.
#[derive(Clone)]
pub struct PgStore {
    pub(crate) pool: Pool,
    pub(crate) config: tokio_postgres::Config,
    /// Names this handle in its change notices, so its own listener can
    /// skip what it stored itself.
    pub(crate) instance: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The connection string may hold a password: never print it.
        f.debug_struct("PgStore")
            .field("dbname", &self.config.get_dbname())
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to the database named by `conninfo` (a `postgres://` URL or
    /// `key=value` pairs), creating or migrating linli's tables.
    pub async fn connect(conninfo: &str) -> Result<Self, StoreError> {
        let mut config: tokio_postgres::Config = conninfo
            .parse()
            .map_err(|e| StoreError::backend(format!("not a PostgreSQL connection string: {e}")))?;
        // The durability rule: a write is acknowledged only once its commit
        // is flushed, whatever the server's or role's default says.
        config.options("-c synchronous_commit=on");
        if config.get_application_name().is_none() {
            config.application_name("linli-relay");
        }
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(MAX_CONNECTIONS)
            .build()
            .map_err(StoreError::backend)?;
        let instance = format!(
            "{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        );
        let store = PgStore {
            pool,
            config,
            instance,
        };
        let mut client = store.client().await?;
        crate::schema::migrate(&mut client).await?;
        Ok(store)
    }

    /// A pooled connection.
    pub(crate) async fn client(&self) -> Result<Object, StoreError> {
        self.pool.get().await.map_err(error::pool)
    }

    /// The schema version of the database, for operators
    /// (`linli-relay check`).
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let client = self.client().await?;
        crate::schema::version(&client).await
    }
}
