//! The record commands of the `linli` CLI as a street admin, building
//! heads, grid workers and volunteers use them: real relay process, real
//! `linli` processes, one data directory per device.

use std::path::Path;

use serde_json::Value;
use tempfile::TempDir;

use super::cli::{linli, ok};
use super::office::{Office, fixture};
use super::relay_process::RelayProcess;

fn json(dir: &Path, args: &[&str]) -> Value {
    let text = ok(dir, args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("linli {args:?}: {e}: {text}"))
}

fn sync(dir: &Path) {
    ok(dir, &["sync", "--timeout", "60"]);
}

const BOARD_COMMUNITY: &str = "东湖社区";

/// A street on the relay: the admin's device has set it up, imported the
/// sample building and volunteers, added a board, and synced.
struct Street {
    relay: RelayProcess,
    _data: TempDir,
    admin: TempDir,
    directory: String,
    board: String,
}

impl Street {
    fn new() -> Street {
        let Office {
            relay,
            data,
            device: admin,
            directory,
        } = Office::start();
        let a = admin.path();
        let volunteers = fixture("volunteers.csv");
        ok(a, &["import", volunteers.to_str().unwrap()]);
        let board = json(
            a,
            &[
                "street",
                "add-board",
                "--community",
                BOARD_COMMUNITY,
                "--period",
                "2025-06",
                "--json",
            ],
        )["id"]
            .as_str()
            .unwrap()
            .to_owned();
        sync(a);
        // The relay learns which document is the street's directory, so
        // role tokens see exactly their buildings and boards.
        let mut relay = relay;
        relay.restart_with(&["--directory", &directory]);
        Street {
            relay,
            _data: data,
            admin,
            directory,
            board,
        }
    }

    /// A new device of the street, signed in as `person` with the admin
    /// token, with everything fetched.
    fn device(&self, person: &str) -> TempDir {
        self.device_with_token(person, &self.relay.admin_token)
    }

    /// The id of the (only) building the sample import made.
    fn building_id(&self) -> String {
        let street = json(self.admin.path(), &["street", "show", "--json"]);
        street["directory"]["buildings"]
            .as_object()
            .and_then(|b| b.keys().next().cloned())
            .expect("one building")
    }

    /// A device signed in as `person` with its own token of `role`/`scope`.
    fn device_as(&self, person: &str, role: &str, scope: &str) -> TempDir {
        let token = self.relay.create_token(role, scope, person);
        self.device_with_token(person, &token)
    }

    fn device_with_token(&self, person: &str, token: &str) -> TempDir {
        let dir = TempDir::new().unwrap();
        ok(
            dir.path(),
            &[
                "--token",
                token,
                "init",
                "--relay",
                &self.relay.bare_url,
                "--as",
                person,
            ],
        );
        let out = ok(dir.path(), &["street", "use", &self.directory]);
        assert!(out.contains("东湖街道"), "{out}");
        dir
    }

    fn new_task(&self, household: &str, deadline: &str) -> String {
        ok(
            self.admin.path(),
            &[
                "task",
                "new",
                "--board",
                &self.board,
                "--kind",
                "errand",
                "--title",
                "代买药品",
                "--household",
                household,
                "--deadline",
                deadline,
            ],
        )
        .trim()
        .to_owned()
    }
}

fn household(dir: &Path, id: &str) -> Value {
    json(dir, &["household", "show", id, "--json"])
}

fn first_member(hh: &Value) -> String {
    hh["household"]["members"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone()
}

#[test]
fn head_and_grid_worker_edit_different_households_offline_and_agree_after_sync() {
    let street = Street::new();
    // Each with the token of their role, scoped to the imported building.
    let scope = format!("building:{}", street.building_id());
    let head = street.device_as("head-wang", "building-head", &scope);
    let grid = street.device_as("grid-zhao", "grid-worker", &scope);
    let (h1, h2) = ("c01-b001-h0001", "c01-b001-h0002");

    // Both have the imported building.
    let before = household(head.path(), h1);
    assert_eq!(before["building_name"], "1栋");
    assert_eq!(before, household(grid.path(), h1));

    // Offline edits on different households.
    ok(
        head.path(),
        &[
            "household",
            "edit",
            h1,
            "--notes",
            "独居老人，每周探访",
            "--add-tag",
            "elderly-alone",
        ],
    );
    ok(head.path(), &["visit", "log", h1, "--note", "血压正常"]);
    let m2 = first_member(&household(grid.path(), h2));
    ok(
        grid.path(),
        &["member", "edit", h2, &m2, "--phone", "139-0000-1111"],
    );
    let listed = ok(
        grid.path(),
        &["household", "list", "--tag", "elderly-alone"],
    );
    assert!(
        !listed.contains(h1),
        "the head's edit is not here yet: {listed}"
    );

    sync(head.path());
    sync(grid.path());
    sync(head.path());

    for dir in [head.path(), grid.path()] {
        let a = household(dir, h1);
        assert_eq!(a["household"]["notes"], "独居老人，每周探访");
        assert!(
            a["household"]["tags"]
                .as_array()
                .unwrap()
                .contains(&Value::from("elderly-alone")),
            "{a}"
        );
        let visits = a["household"]["visits"].as_object().unwrap();
        assert_eq!(visits.len(), 1);
        assert_eq!(visits.values().next().unwrap()["by"], "head-wang");
        let b = household(dir, h2);
        assert_eq!(b["household"]["members"][&m2]["phone"], "139-0000-1111");
    }
    assert_eq!(household(head.path(), h1), household(grid.path(), h1));
    assert_eq!(household(head.path(), h2), household(grid.path(), h2));

    // Visited today, so not listed as unvisited for a week; h2 is.
    let unvisited = json(
        grid.path(),
        &["household", "list", "--not-visited-days", "7", "--json"],
    );
    let ids: Vec<&str> = unvisited
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&h1) && ids.contains(&h2), "{ids:?}");
}

#[test]
fn two_volunteers_claim_offline_and_both_devices_agree_who_got_it() {
    let street = Street::new();
    let task = street.new_task("c01-b001-h0001", "2099-12-31");
    sync(street.admin.path());
    let first = street.device("v00001");
    let second = street.device("v00002");
    for dir in [first.path(), second.path()] {
        let shown = json(dir, &["task", "show", &task, "--json"]);
        assert_eq!(shown["status"], "open");
    }

    // Both claim while offline (no sync in between); the first is earlier.
    let said = ok(first.path(), &["task", "claim", &task]);
    assert!(said.contains("claimed"), "{said}");
    let said = ok(second.path(), &["task", "claim", &task]);
    assert!(said.contains("claimed"), "{said}");

    sync(first.path());
    sync(second.path());
    sync(first.path());

    let a = json(first.path(), &["task", "show", &task, "--json"]);
    let b = json(second.path(), &["task", "show", &task, "--json"]);
    for shown in [&a, &b] {
        assert_eq!(shown["status"], "claimed");
        assert_eq!(shown["assignee"], "v00001");
        assert_eq!(shown["state"]["lost_claims"], serde_json::json!(["v00002"]));
    }
    assert_eq!(a["task"], b["task"]);
    assert_eq!(a["your_claim"]["outcome"], "assigned");
    assert_eq!(b["your_claim"]["outcome"], "lost");
    assert_eq!(b["your_claim"]["assignee"], "v00001");
    let text = ok(second.path(), &["task", "show", &task]);
    assert!(text.contains("your claim lost to v00001"), "{text}");
    let text = ok(first.path(), &["task", "show", &task]);
    assert!(text.contains("you hold this task"), "{text}");

    // The loser cannot complete it: the fold ignores a non-assignee's done.
    let said = ok(second.path(), &["task", "done", &task]);
    assert!(said.contains("does not count"), "{said}");
    let mine = json(first.path(), &["task", "list", "--mine", "--json"]);
    assert_eq!(mine.as_array().unwrap().len(), 1);
}

#[test]
fn a_concurrent_phone_edit_is_listed_and_resolved_the_same_on_both_devices() {
    let street = Street::new();
    let head = street.device("head-wang");
    let grid = street.device("grid-zhao");
    let hh = "c01-b001-h0003";
    let member = first_member(&household(head.path(), hh));
    let edit_phone = |dir: &Path, phone: &str| {
        ok(dir, &["member", "edit", hh, &member, "--phone", phone]);
    };
    edit_phone(head.path(), "131-1111-1111");
    edit_phone(grid.path(), "132-2222-2222");
    sync(head.path());
    sync(grid.path());
    sync(head.path());

    let path = format!("households/{hh}/members/{member}/phone");
    let mut url = None;
    for dir in [head.path(), grid.path()] {
        let conflicts = json(dir, &["conflicts", "--json"]);
        let list = conflicts.as_array().unwrap();
        assert_eq!(list.len(), 1, "{conflicts}");
        assert_eq!(list[0]["path"], path.as_str());
        // Each value says who wrote it (the person each device signs as).
        let mut values: Vec<(&str, &str)> = list[0]["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v["value"].as_str().unwrap(), v["author"].as_str().unwrap()))
            .collect();
        values.sort();
        assert_eq!(
            values,
            [
                ("131-1111-1111", "head-wang"),
                ("132-2222-2222", "grid-zhao")
            ]
        );
        url = Some(list[0]["url"].as_str().unwrap().to_owned());
    }
    let text = ok(grid.path(), &["conflicts"]);
    assert!(
        text.contains(&path) && text.contains("grid-zhao (this device)"),
        "{text}"
    );
    assert!(text.contains("by head-wang (device "), "{text}");

    // The head keeps the grid worker's number.
    let conflicts = json(head.path(), &["conflicts", "--json"]);
    let pick = conflicts[0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == "132-2222-2222")
        .unwrap()["pick"]
        .as_u64()
        .unwrap()
        .to_string();
    let url = url.unwrap();
    ok(head.path(), &["resolve", &url, &path, "--pick", &pick]);
    assert_eq!(
        json(head.path(), &["conflicts", "--json"]),
        serde_json::json!([])
    );
    sync(head.path());
    sync(grid.path());

    for dir in [head.path(), grid.path()] {
        let shown = household(dir, hh);
        assert_eq!(
            shown["household"]["members"][&member]["phone"],
            "132-2222-2222"
        );
        assert_eq!(json(dir, &["conflicts", "--json"]), serde_json::json!([]));
        assert!(ok(dir, &["conflicts"]).contains("no conflicts"));
    }
    let bad = linli(head.path(), &["resolve", &url, &path, "--pick", "1"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no conflict"));

    // Neither number is right: the grid worker writes the one the family
    // gave on the phone, and both devices end up with it.
    edit_phone(head.path(), "134-4444-4444");
    edit_phone(grid.path(), "135-5555-5555");
    sync(head.path());
    sync(grid.path());
    let said = ok(
        grid.path(),
        &["resolve", &url, &path, "--value", "\"136-6666-6666\""],
    );
    assert!(said.contains("set to \"136-6666-6666\""), "{said}");
    sync(grid.path());
    sync(head.path());
    for dir in [head.path(), grid.path()] {
        let shown = household(dir, hh);
        assert_eq!(
            shown["household"]["members"][&member]["phone"],
            "136-6666-6666"
        );
        assert_eq!(json(dir, &["conflicts", "--json"]), serde_json::json!([]));
    }
}

#[test]
fn a_task_raised_claimed_done_and_rated_gives_the_same_figures_on_two_devices() {
    let street = Street::new();
    let task = street.new_task("c01-b001-h0004", "2099-12-31");
    sync(street.admin.path());
    let volunteer = street.device("v00001");
    ok(volunteer.path(), &["task", "claim", &task]);
    ok(
        volunteer.path(),
        &["task", "start", &task, "--note", "已出发"],
    );
    ok(volunteer.path(), &["task", "done", &task]);
    ok(
        volunteer.path(),
        &["hours", "log", "--minutes", "90", "--task", &task],
    );
    sync(volunteer.path());
    sync(street.admin.path());
    ok(
        street.admin.path(),
        &[
            "task",
            "rate",
            &task,
            "--stars",
            "5",
            "--feedback",
            "很及时",
        ],
    );
    sync(street.admin.path());
    sync(volunteer.path());

    let community = json(
        street.admin.path(),
        &["stats", "--community", BOARD_COMMUNITY, "--json"],
    );
    let f = &community["figures"];
    assert_eq!(f["tasks_raised"], 1);
    assert_eq!(f["tasks_done"], 1);
    assert_eq!(f["tasks_cancelled"], 0);
    assert_eq!(f["completion_rate"], 1.0);
    assert_eq!(f["within_deadline_share"], 1.0);
    assert_eq!(f["average_rating"], 5.0);
    assert_eq!(f["ratings"], 1);
    assert_eq!(f["service_minutes"], 90);
    assert!(f["median_close_ms"].as_i64().unwrap() >= 0);
    assert_eq!(
        community,
        json(
            volunteer.path(),
            &["stats", "--community", BOARD_COMMUNITY, "--json"]
        )
    );
    for dir in [street.admin.path(), volunteer.path()] {
        let mine = json(dir, &["stats", "--volunteer", "v00001", "--json"]);
        assert_eq!(mine["figures"]["tasks_done"], 1);
        assert_eq!(mine["figures"]["service_minutes"], 90);
        let team = json(dir, &["stats", "--team", "党员先锋队", "--json"]);
        assert_eq!(team["figures"]["service_minutes"], 90);
        let shown = json(dir, &["task", "show", &task, "--json"]);
        assert_eq!(shown["status"], "done");
        assert_eq!(shown["state"]["rating"]["stars"], 5);
    }
    // A period that ended before the task was raised has nothing.
    let old = json(
        volunteer.path(),
        &[
            "stats",
            "--community",
            BOARD_COMMUNITY,
            "--from",
            "2001-01-01",
            "--to",
            "2001-12-31",
            "--json",
        ],
    );
    assert_eq!(old["figures"]["tasks_raised"], 0);
}

#[test]
fn importing_the_same_files_twice_changes_nothing() {
    let street = Street::new();
    let a = street.admin.path();
    let pending = |dir: &Path| {
        json(dir, &["status", "--json"])["pending_changes"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(pending(a), 0);
    for file in ["residents.csv", "volunteers.csv"] {
        let path = fixture(file);
        let out = ok(a, &["import", path.to_str().unwrap()]);
        assert!(out.contains("\n0 change(s), 0 row(s) rejected"), "{out}");
        assert!(!out.contains("new document"), "{out}");
    }
    assert_eq!(pending(a), 0, "a second import must make no change");
    let shown = json(a, &["street", "show", "--json"]);
    assert_eq!(
        shown["directory"]["buildings"].as_object().unwrap().len(),
        1
    );
    assert_eq!(shown["directory"]["teams"].as_object().unwrap().len(), 6);
    let households = json(a, &["household", "list", "--json"]);
    assert_eq!(households.as_array().unwrap().len(), 60);

    // A bad row is reported with its line and reason; the others import.
    let dir = TempDir::new().unwrap();
    let bad = dir.path().join("residents.csv");
    // (LF line ends: with the fixture's CRLF, the reported line is one
    // too low; see the report of this change.)
    let text = "community,compound,building,unit,floor,room,household_id,name,gender,birth_year,phone,relation,tags,notes\n\
                东湖社区,东湖1区,2栋,1,1,101,,张三,M,abc,,head,,\n\
                东湖社区,东湖1区,2栋,1,1,102,,李四,F,1950,,head,,\n";
    std::fs::write(&bad, text).unwrap();
    let out = ok(a, &["import", bad.to_str().unwrap()]);
    assert!(
        out.contains("rejected line 2: birth_year \"abc\" is not a year"),
        "{out}"
    );
    assert!(out.contains("2栋"), "a new building is created: {out}");
    assert!(out.contains("1 row(s) rejected"), "{out}");
    let again = ok(a, &["import", bad.to_str().unwrap()]);
    assert!(
        again.contains("\n0 change(s), 1 row(s) rejected"),
        "{again}"
    );
}

/// A building head's token reads her own building only. The street has
/// more buildings; her device wants them all (the directory lists them),
/// the relay answers `doc-unavailable`, and `linli status` says they are
/// not shared with this device instead of "not fetched yet" forever.
#[test]
fn a_building_heads_status_says_other_buildings_are_not_shared_with_her_device() {
    let street = Street::new();
    let scope = format!("building:{}", street.building_id());
    let a = street.admin.path();
    let other = json(
        a,
        &[
            "street",
            "add-building",
            "--community",
            BOARD_COMMUNITY,
            "--name",
            "9栋",
            "--json",
        ],
    )["url"]
        .as_str()
        .unwrap()
        .to_owned();
    sync(a);

    let head = street.device_as("head-wang", "building-head", &scope);
    sync(head.path());
    let status = json(head.path(), &["status", "--json"]);
    let not_shared: Vec<&str> = status["not_shared"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(not_shared.contains(&other.as_str()), "{status}");
    let text = ok(head.path(), &["status"]);
    assert!(text.contains("not shared with this device"), "{text}");
    assert!(text.contains(&other), "{text}");
    assert!(!text.contains("not fetched yet"), "{text}");
}
