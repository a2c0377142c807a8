//! The field app in a real browser: Debian's Chromium, driven by
//! playwright-core (`web/tests/*.mjs`), against the real relay binary
//! serving the app it embeds, with a building head's own token.
//!
//! Needs `node`, `/usr/bin/chromium` (or `LINLI_CHROMIUM`) and `npm ci` in
//! `web/`; `.ci/run` installs them. A missing one fails the test, it never
//! skips. Screenshots go to `<target>/screenshots/<test>/` (or
//! `$LINLI_SCREENSHOTS/<test>/`); CI keeps them with its output.
//!
//! Every step runs with the token of the person who does it: a building
//! head's, a volunteer's, a viewer's; the admin token only sets the street up.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use tempfile::TempDir;

use super::cli::ok;
use super::office::Office;
use super::relay_process::{RelayProcess, admin};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn screenshots(name: &str) -> PathBuf {
    std::env::var_os("LINLI_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("../screenshots"))
        .join(name)
}

/// Fails (never skips) with what to install when the browser test cannot run.
fn require_browser_tools() -> PathBuf {
    let chromium = std::env::var_os("LINLI_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        chromium.exists(),
        "{} is missing: apt-get install -y chromium fonts-noto-cjk (or run ./test.sh)",
        chromium.display()
    );
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "node is missing: the browser tests drive Chromium from node (apt-get install -y nodejs npm)"
    );
    assert!(
        repo().join("web/node_modules/playwright-core").exists(),
        "web/node_modules is missing: run `npm ci` in web/ (or ./test.sh)"
    );
    chromium
}

/// A street set up by its admin with the `linli` CLI: the sample building
/// imported, a second building with one household, this month's task board
/// for the community, and the relay told which document is the directory.
struct Street {
    relay: RelayProcess,
    data: TempDir,
    admin: TempDir,
    directory: String,
    building: String,
    other_building: String,
    community: String,
    team: String,
}

impl Street {
    fn new() -> Street {
        let Office {
            mut relay,
            data,
            device: admin,
            directory,
        } = Office::start();
        let a = admin.path();
        ok(
            a,
            &[
                "street",
                "add-building",
                "--community",
                "东湖社区",
                "--compound",
                "东湖1区",
                "--name",
                "2栋",
            ],
        );
        ok(
            a,
            &["household", "add", "--building", "2栋", "--room", "101"],
        );
        ok(
            a,
            &[
                "street",
                "add-board",
                "--community",
                "东湖社区",
                "--period",
                "2026-11",
            ],
        );
        ok(a, &["street", "add-team", "--name", "便民服务队"]);
        ok(a, &["sync", "--timeout", "60"]);
        relay.restart_with(&["--directory", &directory]);
        let street: Value = serde_json::from_str(&ok(a, &["street", "show", "--json"])).unwrap();
        let buildings = street["directory"]["buildings"]
            .as_object()
            .expect("buildings");
        let id_of = |name: &str| {
            buildings
                .iter()
                .find(|(_, b)| b["name"] == name)
                .map(|(id, _)| id.clone())
                .unwrap_or_else(|| panic!("no building {name}: {street}"))
        };
        let doc_of = |name: &str| {
            buildings
                .values()
                .find(|b| b["name"] == name)
                .and_then(|b| b["doc"].as_str())
                .map(str::to_owned)
                .unwrap_or_else(|| panic!("no document for {name}: {street}"))
        };
        let community = street["directory"]["communities"]
            .as_object()
            .and_then(|c| c.keys().next().cloned())
            .expect("one community");
        let team = street["directory"]["teams"]
            .as_object()
            .and_then(|t| t.keys().next().cloned())
            .expect("one team");
        let (building, other_building) = (id_of("1栋"), doc_of("2栋"));
        Street {
            relay,
            data,
            admin,
            directory,
            building,
            other_building,
            community,
            team,
        }
    }

    fn http_url(&self) -> String {
        format!("http://{}/", self.relay.addr())
    }

    /// A building head's token for the imported building.
    fn head_token(&self) -> String {
        let scope = format!("building:{}", self.building);
        self.relay
            .create_token("building-head", &scope, "head-wang")
    }

    fn volunteer_token(&self, name: &str) -> String {
        let scope = format!("team:{},community:{}", self.team, self.community);
        self.relay.create_token("volunteer", &scope, name)
    }

    /// Runs `web/tests/<script>` with `env`, answering each `@@step NAME`
    /// it prints by calling `step(NAME)` and then telling it "done".
    /// Panics with the script's output when it fails.
    fn run_script(
        &mut self,
        script: &str,
        env: &[(&str, &str)],
        mut step: impl FnMut(&mut Street, &str),
    ) {
        let chromium = require_browser_tools();
        // One browser at a time: several Chromiums on a small machine make
        // every one of them slow enough to look broken.
        let _one_at_a_time = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
        let name = script.trim_end_matches(".mjs");
        // Only this run's screenshots, so a failed-step shot is never stale.
        let _ = std::fs::remove_dir_all(screenshots(name));
        let mut command = Command::new("node");
        command
            .arg(repo().join("web/tests").join(script))
            .current_dir(repo().join("web"))
            .env("LINLI_CHROMIUM", &chromium)
            .env("LINLI_APP_URL", self.http_url())
            .env("LINLI_DIRECTORY", &self.directory)
            .env("LINLI_SCREENSHOTS", screenshots(name))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("run node");
        let mut stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut stderr = child.stderr.take().expect("stderr");
        let errors = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
            text
        });
        let mut log = String::new();
        for line in stdout.lines() {
            let Ok(line) = line else { break };
            log.push_str(&line);
            log.push('\n');
            if let Some(name) = line.strip_prefix("@@step ") {
                step(self, name.trim());
                let _ = writeln!(stdin, "done");
            }
        }
        drop(stdin);
        let status = child.wait().expect("node exits");
        log.push_str(&errors.join().unwrap_or_default());
        assert!(status.success(), "{script} failed:\n{log}");
    }
}

static BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn no_steps(_: &mut Street, name: &str) {
    panic!("unexpected step {name}");
}

#[test]
fn building_head_logs_a_visit_and_edits_a_resident_offline_and_both_survive_a_reload() {
    let mut street = Street::new();
    let token = street.head_token();
    let household = "c01-b001-h0001";
    let note = "血压正常，已提醒按时吃药";
    let phone = "135-0000-1234";
    street.run_script(
        "building-head.mjs",
        &[
            ("LINLI_TOKEN", &token),
            ("LINLI_AS", "head-wang"),
            ("LINLI_HOUSEHOLD", household),
            ("LINLI_NOTE", note),
            ("LINLI_PHONE", phone),
        ],
        no_steps,
    );

    // Another device (the office's) sees both edits after syncing.
    let a = street.admin.path();
    ok(a, &["sync", "--timeout", "60"]);
    let shown: Value =
        serde_json::from_str(&ok(a, &["household", "show", household, "--json"])).unwrap();
    let visits = shown["household"]["visits"].as_object().expect("visits");
    assert_eq!(visits.len(), 1, "{shown}");
    let visit = visits.values().next().unwrap();
    assert_eq!(visit["by"], "head-wang");
    assert_eq!(visit["note"], note);
    let members = shown["household"]["members"].as_object().expect("members");
    assert!(
        members.values().any(|m| m["phone"] == phone),
        "the edited phone reached the office: {shown}"
    );
}

#[test]
fn help_asked_by_a_building_head_reaches_volunteers_and_two_offline_claims_settle_on_one() {
    let mut street = Street::new();
    let head = street.head_token();
    let li = street.volunteer_token("li-phone");
    let zhou = street.volunteer_token("zhou-phone");
    street.run_script(
        "volunteers.mjs",
        &[
            ("LINLI_HEAD_TOKEN", &head),
            ("LINLI_V1_TOKEN", &li),
            ("LINLI_V2_TOKEN", &zhou),
        ],
        no_steps,
    );
    // The office's CLI agrees on who holds it.
    let a = street.admin.path();
    ok(a, &["sync", "--timeout", "60"]);
    let tasks: Value = serde_json::from_str(&ok(a, &["task", "list", "--json"])).unwrap();
    let text = tasks.to_string();
    assert!(text.contains("代买降压药"), "{text}");
    assert!(
        text.contains("v00001"),
        "the earlier claim holds it: {text}"
    );
}

/// The services list and notices in the app (`web/tests/services.mjs`):
/// the offline race for the last place, acceptance, rating, and a notice
/// read offline; then the office's figures and unread list agree.
#[test]
fn a_service_offered_in_the_app_is_requested_offline_by_two_heads_and_a_notice_is_read() {
    let mut street = Street::new();
    let a = street.admin.path().to_path_buf();
    ok(
        &a,
        &[
            "volunteer",
            "add",
            "--team",
            "便民服务队",
            "--id",
            "v00001",
            "--name",
            "郝娟",
            "--phone",
            "184-0127-5098",
        ],
    );
    ok(&a, &["sync", "--timeout", "60"]);
    let leader = street.relay.create_token(
        "team-leader",
        &format!("team:{},community:{}", street.team, street.community),
        "hao-phone",
    );
    let scope = format!("building:{}", street.building);
    let head1 = street
        .relay
        .create_token("building-head", &scope, "head-wang");
    let head2 = street
        .relay
        .create_token("building-head", &scope, "head-zhao");
    let office = street.relay.admin_token.clone();
    street.run_script(
        "services.mjs",
        &[
            ("LINLI_LEADER_TOKEN", &leader),
            ("LINLI_HEAD1_TOKEN", &head1),
            ("LINLI_HEAD2_TOKEN", &head2),
            ("LINLI_OFFICE_TOKEN", &office),
        ],
        |street, step| match step {
            "check the office's unread list" => {
                let answer = super::http::get(
                    &street.relay.addr(),
                    "/api/office/notices",
                    &street.relay.admin_token,
                );
                let rows: Value = answer.json();
                let row = rows
                    .as_array()
                    .and_then(|r| r.iter().find(|r| r["title"] == "停水通知"))
                    .unwrap_or_else(|| panic!("no notice in {rows}"));
                assert_eq!(row["unread"], serde_json::json!(["head-wang"]), "{row}");
                assert_eq!(row["read"][0][0], "head-zhao", "{row}");
            }
            other => panic!("unexpected step {other}"),
        },
    );
    // The office's figures count the service for the team, rated.
    let a = street.admin.path();
    ok(a, &["sync", "--timeout", "60"]);
    let stats: Value = serde_json::from_str(&ok(a, &["stats", "--street", "--json"])).unwrap();
    let f = &stats["figures"];
    assert_eq!(f["services_delivered"][&street.team], 1, "{f}");
    assert_eq!(f["ratings"], 1, "{f}");
}

#[test]
fn a_viewer_sees_no_edit_controls_and_a_building_head_holds_only_her_building() {
    let mut street = Street::new();
    let head = street.head_token();
    let scope = format!("community:{}", street.community);
    let viewer = street.relay.create_token("viewer", &scope, "office-viewer");
    let other = street.other_building.clone();
    street.run_script(
        "access.mjs",
        &[
            ("LINLI_HEAD_TOKEN", &head),
            ("LINLI_VIEWER_TOKEN", &viewer),
            ("LINLI_OTHER_BUILDING", &other),
        ],
        no_steps,
    );
}

#[test]
fn revoking_a_signed_in_phone_signs_it_out_and_deletes_the_residents_data() {
    let mut street = Street::new();
    let head = street.head_token();
    let scope = format!("building:{}", street.building);
    let replacement = street
        .relay
        .create_token("building-head", &scope, "head-wang-new");
    street.run_script(
        "revoke.mjs",
        &[
            ("LINLI_HEAD_TOKEN", &head),
            ("LINLI_HEAD_TOKEN2", &replacement),
        ],
        |street, step| {
            assert_eq!(step, "revoke");
            admin(street.data.path(), &["token", "revoke", "head-wang-new"]);
        },
    );
}

#[test]
fn edits_held_by_the_app_reach_a_relay_that_was_killed_and_restarted() {
    let mut street = Street::new();
    let head = street.head_token();
    let household = "c01-b001-h0002";
    street.run_script(
        "relay-killed.mjs",
        &[("LINLI_HEAD_TOKEN", &head), ("LINLI_HOUSEHOLD", household)],
        |street, step| match step {
            "kill" => street.relay.kill9(),
            "restart" => street.relay.restart(),
            other => panic!("unexpected step {other}"),
        },
    );
    let a = street.admin.path();
    ok(a, &["sync", "--timeout", "60"]);
    let shown: Value =
        serde_json::from_str(&ok(a, &["household", "show", household, "--json"])).unwrap();
    let notes: Vec<&str> = shown["household"]["visits"]
        .as_object()
        .expect("visits")
        .values()
        .filter_map(|v| v["note"].as_str())
        .collect();
    assert!(notes.contains(&"停电前记录"), "{shown}");
    assert!(notes.contains(&"重启后记录"), "{shown}");
}

#[test]
fn a_field_two_people_changed_apart_is_shown_with_both_authors_and_settled_in_the_app() {
    let mut street = Street::new();
    let head = street.head_token();
    let scope = format!("building:{}", street.building);
    let grid = street
        .relay
        .create_token("grid-worker", &scope, "grid-zhao");
    street.run_script(
        "conflicts.mjs",
        &[("LINLI_HEAD_TOKEN", &head), ("LINLI_GRID_TOKEN", &grid)],
        no_steps,
    );
    let a = street.admin.path();
    ok(a, &["sync", "--timeout", "60"]);
    let shown = ok(a, &["household", "show", "c01-b001-h0001", "--json"]);
    assert!(shown.contains("131-1111-1111"), "{shown}");
    assert!(!shown.contains("132-2222-2222"), "{shown}");
}

/// The street office's pages (`web/tests/office.mjs`): the office's own
/// token on a wide screen imports the community preset on the page; the
/// people of a need serve it with their own tokens (the CLI here); the
/// figures page equals `linli stats --json`; a building head's phone signs
/// in by a link made on the page and is revoked there; a viewer's token.
#[test]
fn the_office_pages_show_linli_stats_figures_export_and_make_and_revoke_a_token() {
    let mut street = Street::new();
    let admin_token = street.relay.admin_token.clone();
    let viewer = street.relay.create_token(
        "viewer",
        &format!("community:{}", street.community),
        "district-li",
    );
    let downloads = TempDir::new().unwrap();
    let downloads_path = downloads.path().to_str().unwrap().to_owned();
    // The community preset of the project's generator, to import on the page.
    let preset = linli_gen::generate(
        linli_gen::Preset::Community.shape(),
        linli_gen::DEFAULT_SEED,
    );
    let residents = downloads.path().join("preset-residents.csv");
    std::fs::write(&residents, &preset.residents_csv).unwrap();
    let residents = residents.to_str().unwrap().to_owned();
    let building = street.building.clone();
    let volunteer = street.volunteer_token("zhu-phone");
    let head = TempDir::new().unwrap();
    let mut task = String::new();
    street.run_script(
        "office.mjs",
        &[
            ("LINLI_ADMIN_TOKEN", &admin_token),
            ("LINLI_VIEWER_TOKEN", &viewer),
            ("LINLI_DOWNLOADS", &downloads_path),
            ("LINLI_RESIDENTS", &residents),
            ("LINLI_BUILDING", &building),
            ("LINLI_VOLUNTEER_TOKEN", &volunteer),
        ],
        |street, step| {
            if step == "raise-a-need" {
                task = raise_a_need(street, head.path());
            } else if step == "rate-the-need" {
                let h = head.path();
                ok(h, &["sync", "--timeout", "60"]);
                ok(h, &["task", "rate", &task, "--stars", "5"]);
                ok(h, &["sync", "--timeout", "60"]);
                ok(street.admin.path(), &["sync", "--timeout", "60"]);
            } else if let Some(shown) = step.strip_prefix("compare-figures ") {
                compare_figures(street, shown);
            } else if let Some(file) = step.strip_prefix("reimport ") {
                let out = ok(street.admin.path(), &["import", file]);
                assert!(
                    out.contains("0 change(s), 0 row(s) rejected"),
                    "the exported CSV imports back with no change: {out}"
                );
            } else {
                panic!("unexpected step {step}");
            }
        },
    );
}

/// The building head, on her own device in `dir` with her own token, raises
/// a need for a household of her building; returns the task's id.
fn raise_a_need(street: &mut Street, dir: &Path) -> String {
    let token = street.head_token();
    ok(
        dir,
        &[
            "--token",
            &token,
            "init",
            "--relay",
            &street.relay.bare_url,
            "--as",
            "head-wang",
        ],
    );
    ok(dir, &["street", "use", &street.directory]);
    let task = ok(
        dir,
        &[
            "task",
            "new",
            "--kind",
            "errand",
            "--title",
            "代买降压药",
            "--household",
            "c01-b001-h0001",
        ],
    )
    .trim()
    .to_owned();
    ok(dir, &["sync", "--timeout", "60"]);
    task
}

/// What the page showed equals `linli stats --json` on the office's
/// device, for the street and every community, team and volunteer row.
fn compare_figures(street: &mut Street, shown: &str) {
    let shown: Value = serde_json::from_str(shown).expect("the page's figures as JSON");
    let (from, to) = (
        shown["from"].as_str().expect("from"),
        shown["to"].as_str().expect("to"),
    );
    let a = street.admin.path();
    let stats = |scope: &[&str]| -> Value {
        let mut args = vec!["stats"];
        args.extend_from_slice(scope);
        args.extend(["--from", from, "--to", to, "--json"]);
        let all: Value = serde_json::from_str(&ok(a, &args)).unwrap();
        all["figures"].clone()
    };
    // The page shows these figures of each scope; each must be the CLI's.
    let same = |page: &Value, cli: &Value, what: &str| {
        let page = page.as_object().expect("figures");
        assert!(!page.is_empty(), "{what}: no figures on the page");
        for (name, value) in page {
            let cli_value = &cli[name];
            let equal = match (value.as_f64(), cli_value.as_f64()) {
                (Some(x), Some(y)) => (x - y).abs() < 1e-9,
                _ => value == cli_value,
            };
            assert!(
                equal,
                "{what} {name}: page {value}, linli stats {cli_value}"
            );
        }
    };
    let street_cli = stats(&["--street"]);
    same(&shown["street"], &street_cli, "street");
    assert_eq!(street_cli["tasks_done"], 1);
    assert_eq!(street_cli["responses"], 1);
    assert_eq!(street_cli["average_rating"], 5.0);
    for (table, flag) in [
        ("communities", "--community"),
        ("teams", "--team"),
        ("volunteers", "--volunteer"),
    ] {
        let rows = shown[table].as_object().expect("rows");
        assert!(!rows.is_empty(), "{table}: no rows on the page");
        for (id, figures) in rows {
            same(figures, &stats(&[flag, id]), &format!("{table} {id}"));
        }
    }
}
