//! PostgreSQL's errors as the store's one error type.

use linli_store::StoreError;
use tokio_postgres::error::SqlState;

/// Wraps a PostgreSQL error; a full disk (`53100 disk_full`) becomes
/// [`StoreError::DiskFull`], as SQLITE_FULL does.
pub(crate) fn pg(err: tokio_postgres::Error) -> StoreError {
    if err.code() == Some(&SqlState::DISK_FULL) {
        StoreError::DiskFull
    } else {
        StoreError::backend(err)
    }
}

/// A connection that could not be had from the pool.
pub(crate) fn pool(err: deadpool_postgres::PoolError) -> StoreError {
    match err {
        deadpool_postgres::PoolError::Backend(e) => pg(e),
        other => StoreError::backend(other),
    }
}
