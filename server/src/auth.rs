//! Who is connecting and what they may do: tokens, roles and scopes.
//!
//! - [`token`]: making tokens, hashing them, finding one in a request;
//! - [`grant`]: a token's role and scope, parsed from their stored text;
//! - [`grants`]: the relay's in-memory view of the token table, refreshed
//!   when the admin CLI changes it, closing connections of revoked tokens.

pub mod grant;
pub mod grants;
pub mod token;

pub use grant::{Grant, GrantError, Role, Scope};
pub use grants::{AuthError, Grants, TokenChange};
