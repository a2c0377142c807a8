//! `linli doc …`: the document subcommands, one file each under `doc/`.

mod new;
mod set;
mod show;

use std::process::ExitCode;

use clap::Subcommand;

use super::Context;

#[derive(Debug, Subcommand)]
pub enum DocCommand {
    New(new::Args),
    Show(show::Args),
    Set(set::Args),
}

pub fn run(ctx: &Context, command: DocCommand) -> anyhow::Result<ExitCode> {
    match command {
        DocCommand::New(args) => new::run(ctx, args),
        DocCommand::Show(args) => show::run(ctx, args),
        DocCommand::Set(args) => set::run(ctx, args),
    }
}
