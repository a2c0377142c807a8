use clap::{CommandFactory, Parser};

use super::doc::DocCommand;
use super::*;

fn parse(args: &[&str]) -> Cli {
    Cli::try_parse_from(std::iter::once("linli").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

#[test]
fn the_command_line_definition_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn init_takes_a_relay_and_a_global_dir_anywhere() {
    let cli = parse(&["init", "--relay", "ws://r:1/sync", "--dir", "/tmp/x"]);
    assert_eq!(cli.dir.as_deref(), Some(std::path::Path::new("/tmp/x")));
    let Command::Init(args) = cli.command else {
        panic!()
    };
    assert_eq!(args.relay, "ws://r:1/sync");
    let cli = parse(&["--dir", "/tmp/y", "init", "--relay", "ws://r"]);
    assert_eq!(cli.dir.as_deref(), Some(std::path::Path::new("/tmp/y")));
    assert!(
        Cli::try_parse_from(["linli", "init"]).is_err(),
        "--relay is required"
    );
}

#[test]
fn doc_subcommands_parse() {
    assert!(matches!(
        parse(&["doc", "new"]).command,
        Command::Doc(DocCommand::New(_))
    ));
    let Command::Doc(DocCommand::Show(show)) =
        parse(&["doc", "show", "automerge:abc", "--json"]).command
    else {
        panic!()
    };
    assert_eq!(show.url, "automerge:abc");
    assert!(show.json);
    assert_eq!(show.timeout, 30);
    let Command::Doc(DocCommand::Set(set)) =
        parse(&["doc", "set", "automerge:abc", "households/h1/age", "-3"]).command
    else {
        panic!()
    };
    assert_eq!(set.path, "households/h1/age");
    assert_eq!(set.value, "-3", "negative numbers are values, not flags");
    assert!(Cli::try_parse_from(["linli", "doc", "set", "automerge:abc", "p"]).is_err());
}

#[test]
fn sync_and_status_options_parse() {
    let Command::Sync(sync) = parse(&["sync"]).command else {
        panic!()
    };
    assert_eq!(sync.timeout, 30);
    let Command::Sync(sync) = parse(&["sync", "--timeout", "5"]).command else {
        panic!()
    };
    assert_eq!(sync.timeout, 5);
    assert!(Cli::try_parse_from(["linli", "sync", "--timeout", "soon"]).is_err());
    let Command::Status(status) = parse(&["status", "--json"]).command else {
        panic!()
    };
    assert!(status.json);
}

#[test]
fn the_token_comes_from_a_flag_or_env_and_its_env_value_is_hidden_in_help() {
    let command = Cli::command();
    let token = command
        .get_arguments()
        .find(|a| a.get_id() == "token")
        .expect("a --token option");
    assert_eq!(
        token.get_env().and_then(|e| e.to_str()),
        Some("LINLI_TOKEN")
    );
    assert!(token.is_hide_env_values_set());
    let cli = parse(&["--token", "s3cret", "status"]);
    assert_eq!(cli.token.as_deref(), Some("s3cret"));
}

#[test]
fn sync_failures_exit_with_code_2_and_others_with_1() {
    let incomplete = anyhow::Error::new(ClientError::SyncIncomplete {
        timeout: std::time::Duration::from_secs(1),
        report: Box::default(),
    })
    .context("syncing");
    assert_eq!(
        exit_code_for(&incomplete),
        ExitCode::from(EXIT_SYNC_INCOMPLETE)
    );
    let other = anyhow::Error::new(ClientError::NoRelay);
    assert_eq!(exit_code_for(&other), ExitCode::FAILURE);
}
