//! `linli-relay token list`.

/// List tokens (never their secrets).
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(config: &linli_server::Config, _args: Args) -> anyhow::Result<()> {
    let tokens = super::with_storage(config, async |s| Ok(s.tokens().await?))?;
    println!("{:<24} {:<14} {:<8} scope", "name", "role", "state");
    for t in tokens {
        let state = if t.revoked_at.is_some() {
            "revoked"
        } else {
            "live"
        };
        println!("{:<24} {:<14} {:<8} {}", t.name, t.role, state, t.scope);
    }
    Ok(())
}
