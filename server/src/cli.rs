//! The `linli-relay` subcommands, one file each: an `Args` struct whose doc
//! comments are the help text, and `run`.

pub mod audit;
pub mod directory_set;
pub mod directory_show;
pub mod serve;
pub mod token_create;
pub mod token_list;
pub mod token_revoke;
pub mod token_scope;

use anyhow::Context;
use linli_store::Store;

/// The relay's database, opened directly: admin commands work on it while
/// the relay runs, and the relay notices within a second.
pub fn open_store(config: &linli_server::Config) -> anyhow::Result<Store> {
    let path = config.database_path();
    Store::open_relay(&path).with_context(|| format!("cannot open {}", path.display()))
}
