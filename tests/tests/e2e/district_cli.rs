//! The district hub set up and used with the `linli` CLI alone, each
//! person with their own token, as the README's "District hub" section
//! walks through it: a hub on real PostgreSQL, a street relay linked with
//! `--upstream`, real `linli` processes for the district admin, the street
//! admin, a volunteer and a district viewer.

use std::path::Path;
use std::time::{Duration, Instant};

use linli_records::ids::CommunityId;
use linli_store_pg::test_cluster::TestCluster;
use serde_json::Value;
use tempfile::TempDir;

use super::cli::{linli, ok};
use super::relay_process::{RelayProcess, admin, binary};

/// How long anything here may take to flow through two relays.
const FLOW: Duration = Duration::from_secs(90);

/// Polls `check` until it holds.
fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + FLOW;
    while !check() {
        assert!(Instant::now() < deadline, "waited in vain for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// One `linli sync`, which must confirm everything: even a board the hub
/// learns of from the very directory change that lists it.
fn sync(dir: &Path) {
    ok(dir, &["sync", "--timeout", "60"]);
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let text = ok(dir, args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("linli {args:?}: {e}: {text}"))
}

/// Runs `linli`, expecting a refusal; returns what it said.
fn refused(dir: &Path, args: &[&str]) -> String {
    let out = linli(dir, args);
    assert!(!out.status.success(), "linli {args:?} was not refused");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `linli-relay ARGS` with `--storage` (an admin command on the hub).
fn on_hub(hub: &RelayProcess, db: &str, args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.extend(["--storage", db]);
    admin(&hub.data, &all)
}

/// `linli-relay upstream status` on a street relay.
fn upstream_status(relay: &RelayProcess) -> (bool, String) {
    let out = std::process::Command::new(binary("linli-relay"))
        .args(["upstream", "status", "--data"])
        .arg(&relay.data)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn each_person_runs_the_district_with_the_cli_and_a_district_task_is_claimed_on_a_street() {
    let cluster = TestCluster::start().expect("a test PostgreSQL");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = runtime
        .block_on(cluster.create_database())
        .expect("a database");

    // The hub's operator deploys it on PostgreSQL and makes the tokens.
    let hub_data = TempDir::new().unwrap();
    let hub = RelayProcess::start_with(hub_data.path(), &["--storage", &db]);
    let token = |role: &str, scope: &str, name: &str| {
        let mut args = vec!["token", "create", "--role", role, "--name", name];
        if !scope.is_empty() {
            args.extend(["--scope", scope]);
        }
        on_hub(&hub, &db, &args).trim().to_owned()
    };
    let office_token = token("district-admin", "", "district-office");
    let screen_token = token("district-viewer", "", "district-screen");
    let relay_token = token("street-relay", "street:xihu", "relay-xihu");

    // Street xihu: its relay, and its admin's device (the relay's own
    // street-admin token) with a building and a board.
    let street_data = TempDir::new().unwrap();
    let mut street = RelayProcess::start(street_data.path());
    let street_admin = TempDir::new().unwrap();
    let sa = street_admin.path();
    ok(
        sa,
        &[
            "--token",
            &street.admin_token,
            "init",
            "--relay",
            &street.bare_url,
            "--as",
            "admin-wang",
        ],
    );
    let street_dir = ok(sa, &["street", "init", "西湖街道"]).trim().to_owned();
    let building = json(
        sa,
        &[
            "street",
            "add-building",
            "--community",
            "西湖社区",
            "--name",
            "1栋",
            "--json",
        ],
    );
    let building_url = building["url"].as_str().unwrap().to_owned();
    ok(
        sa,
        &[
            "street",
            "add-board",
            "--community",
            "西湖社区",
            "--period",
            "2025-06",
        ],
    );
    sync(sa);
    admin(&street.data, &["directory", "set", &street_dir]);

    // The district admin, with their own token, makes the district
    // directory; the operator names it on the hub.
    let office = TempDir::new().unwrap();
    let o = office.path();
    ok(
        o,
        &[
            "--token",
            &office_token,
            "init",
            "--relay",
            &hub.bare_url,
            "--as",
            "district-office",
        ],
    );
    let district = ok(o, &["district", "init", "东湖区"]).trim().to_owned();
    assert!(district.starts_with("automerge:"), "{district}");
    on_hub(&hub, &db, &["directory", "set", &district]);
    sync(o);

    // Bad input is refused and changes nothing.
    let before = json(o, &["district", "show", "--json"]);
    let said = refused(
        o,
        &["district", "add-street", "xi hu", "--name", "西湖街道"],
    );
    assert!(said.contains("not a street id"), "{said}");
    let said = refused(
        o,
        &[
            "district",
            "add-street",
            "xihu",
            "--name",
            "西湖街道",
            "--directory",
            "not-a-url",
        ],
    );
    assert!(said.contains("not a document URL"), "{said}");
    assert_eq!(json(o, &["district", "show", "--json"]), before);

    ok(
        o,
        &[
            "district",
            "add-street",
            "xihu",
            "--name",
            "西湖街道",
            "--directory",
            &street_dir,
        ],
    );
    sync(o);

    // The street links up with its street-relay token.
    street.restart_with(&[
        "--upstream",
        &hub.bare_url,
        "--upstream-token",
        &relay_token,
    ]);

    // Its directory reaches the district admin's device.
    wait_for(
        "street xihu's directory on the district office's device",
        || {
            let _ = linli(o, &["sync", "--timeout", "30"]);
            ok(o, &["district", "show"])
                .lines()
                .any(|l| l.starts_with("xihu") && l.ends_with("here"))
        },
    );

    // A board for a street or community the district does not have is
    // refused, and so is a month that is not one; nothing is created.
    let before = json(o, &["district", "show", "--json"]);
    let docs_before = json(o, &["status", "--json"])["documents"].clone();
    for (to, period, why) in [
        ("nowhere=西湖社区", "2025-07", "no street nowhere"),
        ("xihu=东湖社区", "2025-07", "has no community"),
        ("xihu=西湖社区", "2025-13", "YYYY-MM"),
    ] {
        let said = refused(
            o,
            &[
                "district",
                "add-board",
                "--title",
                "走访",
                "--period",
                period,
                "--to",
                to,
            ],
        );
        assert!(said.contains(why), "{said}");
    }
    assert_eq!(json(o, &["district", "show", "--json"]), before);
    assert_eq!(json(o, &["status", "--json"])["documents"], docs_before);

    // The district admin shares a board down to xihu's 西湖社区 and raises
    // a task on it.
    ok(
        o,
        &[
            "district",
            "add-board",
            "--id",
            "visit-07",
            "--title",
            "全区独居老人走访",
            "--period",
            "2025-07",
            "--to",
            "xihu=西湖社区",
        ],
    );
    let task = ok(
        o,
        &[
            "district",
            "task",
            "add",
            "--board",
            "visit-07",
            "--kind",
            "visit",
            "--title",
            "走访独居老人",
        ],
    )
    .trim()
    .to_owned();
    sync(o);

    // The street admin opts building 1栋 in to going up; an unknown
    // building is refused.
    let said = refused(sa, &["street", "share-up", "99栋", "--on"]);
    assert!(said.contains("99栋"), "{said}");
    let (_, status) = upstream_status(&street);
    assert!(
        !status.contains(&building_url),
        "a building went up unasked: {status}"
    );
    ok(sa, &["street", "share-up", "1栋", "--on"]);
    let shown = json(sa, &["street", "show", "--json"]);
    assert_eq!(shown["shared_up"], serde_json::json!([building["id"]]));
    sync(sa);
    wait_for("building 1栋 on the hub", || {
        let (ok, text) = upstream_status(&street);
        ok && text.contains("link: up") && text.contains(&format!("ok     {building_url}"))
    });

    // A volunteer of 西湖社区 on the street's relay finds the district task
    // and claims it.
    let community = CommunityId::derive("西湖社区");
    let volunteer_token = street.create_token(
        "volunteer",
        &format!("team:t1,community:{community}"),
        "li-phone",
    );
    let phone = TempDir::new().unwrap();
    let v = phone.path();
    ok(
        v,
        &[
            "--token",
            &volunteer_token,
            "init",
            "--relay",
            &street.bare_url,
            "--as",
            "v-li",
        ],
    );
    ok(v, &["street", "use", &street_dir]);
    wait_for("the district task on the volunteer's phone", || {
        let _ = linli(v, &["sync", "--timeout", "30"]);
        let list = json(v, &["task", "list", "--json"]);
        list.as_array()
            .is_some_and(|tasks| tasks.iter().any(|t| t["id"] == task.as_str()))
    });
    let said = ok(v, &["task", "claim", &task]);
    assert!(said.contains("claimed"), "{said}");
    sync(v);

    // The district viewer sees the claim on the hub.
    let screen = TempDir::new().unwrap();
    let s = screen.path();
    ok(
        s,
        &[
            "--token",
            &screen_token,
            "init",
            "--relay",
            &hub.bare_url,
            "--as",
            "district-screen",
        ],
    );
    ok(s, &["district", "use", &district]);
    wait_for("the volunteer's claim on the hub", || {
        let _ = linli(s, &["sync", "--timeout", "30"]);
        let shown = json(s, &["district", "show", "--json"]);
        shown["tasks"].as_array().is_some_and(|tasks| {
            tasks
                .iter()
                .any(|t| t["id"] == task.as_str() && t["assignee"] == "v-li")
        })
    });

    // Writing with the viewer's token is refused, and changes nothing.
    let before = json(s, &["district", "show", "--json"]);
    let said = refused(
        s,
        &["district", "add-street", "donghu", "--name", "东湖街道"],
    );
    assert!(said.contains("only read"), "{said}");
    let said = refused(
        s,
        &[
            "district", "task", "add", "--board", "visit-07", "--kind", "visit", "--title", "x",
        ],
    );
    assert!(said.contains("only read"), "{said}");
    assert_eq!(json(s, &["district", "show", "--json"]), before);

    // The district admin stops sharing the board with xihu and shares it
    // again; a street it is not shared with is refused.
    let said = refused(
        o,
        &["district", "share-board", "visit-07", "--stop", "donghu"],
    );
    assert!(said.contains("not shared with street donghu"), "{said}");
    ok(
        o,
        &["district", "share-board", "visit-07", "--stop", "xihu"],
    );
    sync(o);
    // xihu's relay takes the board out of the street's directory: the
    // street admin's device no longer lists it.
    let listed = |want: bool| {
        move || {
            let _ = linli(sa, &["sync", "--timeout", "30"]);
            let shown = json(sa, &["street", "show", "--json"]);
            shown["directory"]["boards"]
                .get("district-visit-07")
                .is_some()
                == want
        }
    };
    wait_for("the board to leave xihu's directory", listed(false));
    ok(
        o,
        &[
            "district",
            "share-board",
            "visit-07",
            "--to",
            "xihu=西湖社区",
        ],
    );
    let shown = json(o, &["district", "show", "--json"]);
    assert_eq!(
        shown["district"]["shared"]["visit-07"]["streets"]["xihu"],
        community.as_str()
    );
    sync(o);
    wait_for("the board back in xihu's directory", listed(true));

    // The street relay says the hub has everything.
    wait_for("the hub to hold everything xihu shares", || {
        let (ok, text) = upstream_status(&street);
        ok && text.contains("0 behind")
    });

    // The SQLite-only admin commands refuse the PostgreSQL hub.
    for args in [
        vec!["backup", "--to", "hub.sqlite"],
        vec!["check"],
        vec!["restore", "hub.sqlite"],
    ] {
        let mut args = args.clone();
        args.extend(["--storage", db.as_str()]);
        let out = std::process::Command::new(binary("linli-relay"))
            .args(&args)
            .arg("--data")
            .arg(&hub.data)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && said.contains("pg_dump"),
            "{args:?}: {said}"
        );
    }
}
