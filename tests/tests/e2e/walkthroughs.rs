//! The README's walkthroughs, step by step, each step run by the person it
//! belongs to with the token that person holds: the building head with a
//! building-head token scoped to her building, the grid worker with his,
//! volunteers with volunteer tokens scoped to their team and community, a
//! team leader with a team-leader token. Only the street office's own steps
//! (setting up the street, `linli-relay token create`, `directory set`, the
//! office's figures) use the street-admin token. Real relay process, real
//! `linli` processes, one data folder per device.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use super::cli::{linli, ok};
use super::office::{self, fixture};
use super::relay_process::{PATIENCE, RelayProcess, admin};

pub fn json(dir: &Path, args: &[&str]) -> Value {
    let text = ok(dir, args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("linli {args:?}: {e}: {text}"))
}

pub fn sync(dir: &Path) {
    ok(dir, &["sync", "--timeout", "60"]);
}

/// Runs `linli`, expecting it to fail; returns its stderr.
fn fails(dir: &Path, args: &[&str]) -> String {
    let out = linli(dir, args);
    assert!(
        !out.status.success(),
        "linli {args:?} should have failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn pending(dir: &Path) -> u64 {
    json(dir, &["status", "--json"])["pending_changes"]
        .as_u64()
        .expect("pending count")
}

/// The street office's setup (README, "Households, members and visits"),
/// done with the street-admin token, then the relay told which document
/// is the street's directory.
pub struct Office {
    pub relay: RelayProcess,
    _data: TempDir,
    pub device: TempDir,
    pub directory: String,
    /// The directory as `street show --json` prints it.
    pub shown: Value,
}

impl Office {
    pub fn set_up() -> Office {
        let office::Office {
            relay,
            data,
            device,
            directory,
        } = office::Office::start();
        let a = device.path();
        ok(a, &["import", fixture("volunteers.csv").to_str().unwrap()]);
        let steps: [&[&str]; 3] = [
            &[
                "street",
                "add-building",
                "--community",
                "东湖社区",
                "--compound",
                "东湖1区",
                "--name",
                "3栋",
                "--address",
                "东湖路3号",
            ],
            &["street", "add-team", "--name", "银龄互助队"],
            &[
                "street",
                "add-board",
                "--community",
                "东湖社区",
                "--period",
                "2025-06",
            ],
        ];
        for step in steps {
            ok(a, step);
        }
        ok(a, &["street", "show"]);
        sync(a);
        // The relay follows the directory while running.
        admin(&relay.data, &["directory", "set", &directory]);
        let shown = json(a, &["street", "show", "--json"])["directory"].clone();
        Office {
            relay,
            _data: data,
            device,
            directory,
            shown,
        }
    }

    /// The id of the directory entry of `kind` (buildings, teams,
    /// communities) named `name`.
    pub fn id(&self, kind: &str, name: &str) -> String {
        self.shown[kind]
            .as_object()
            .and_then(|m| m.iter().find(|(_, v)| v["name"] == name))
            .map(|(id, _)| id.clone())
            .unwrap_or_else(|| panic!("no {kind} named {name} in {}", self.shown))
    }

    /// `linli-relay token create`, the office's job; returns the secret.
    pub fn token(&self, role: &str, scope: &str, name: &str) -> String {
        self.relay.create_token(role, scope, name)
    }

    /// A person's own device: `init` with their token and `--as`, then
    /// `street use` with the directory's URL the office gave them. The relay
    /// applies `directory set` within a second; until it has, the token may
    /// not read the directory, so `street use` is retried until it works.
    pub fn device(&self, token: &str, person: &str) -> TempDir {
        let dir = TempDir::new().unwrap();
        let d = dir.path();
        ok(
            d,
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
        let deadline = Instant::now() + PATIENCE;
        loop {
            let out = linli(d, &["street", "use", &self.directory]);
            if out.status.success() {
                let text = String::from_utf8_lossy(&out.stdout);
                assert!(text.contains("东湖街道"), "{text}");
                return dir;
            }
            assert!(
                Instant::now() < deadline,
                "street use never worked for {person}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

pub const H8: &str = "c01-b001-h0008";

#[test]
fn a_building_heads_day_runs_with_her_own_token() {
    let office = Office::set_up();
    let b1 = office.id("buildings", "1栋");
    let scope = format!("building:{b1}");
    let token = office.token("building-head", &scope, "wang-laptop");
    let wang = office.device(&token, "head-wang");
    let w = wang.path();

    // Door to door, offline: each command writes this device only.
    let listed = json(
        w,
        &[
            "household",
            "list",
            "--tag",
            "elderly-alone",
            "--not-visited-days",
            "30",
            "--json",
        ],
    );
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["id"].as_str())
        .collect();
    assert!(ids.contains(&H8), "{ids:?}");
    let shown = ok(w, &["household", "show", H8]);
    assert!(shown.contains("1栋"), "{shown}");
    ok(w, &["visit", "log", H8, "--note", "血压正常，需代买药"]);
    ok(
        w,
        &[
            "household",
            "edit",
            H8,
            "--notes",
            "子女在外地",
            "--add-tag",
            "chronic-illness",
        ],
    );
    let hh = json(w, &["household", "show", H8, "--json"]);
    let member = hh["household"]["members"]
        .as_object()
        .and_then(|m| m.keys().next().cloned())
        .expect("a member");
    ok(
        w,
        &["member", "edit", H8, &member, "--phone", "139-0000-1111"],
    );
    ok(
        w,
        &[
            "member",
            "add",
            H8,
            "--name",
            "倪小明",
            "--birth-year",
            "2015",
            "--relation",
            "grandchild",
        ],
    );
    let new_household = ok(
        w,
        &[
            "household",
            "add",
            "--building",
            "1栋",
            "--unit",
            "1",
            "--floor",
            "6",
            "--room",
            "601",
        ],
    )
    .trim()
    .to_owned();
    let task = ok(
        w,
        &[
            "task",
            "new",
            "--kind",
            "errand",
            "--title",
            "代买降压药",
            "--household",
            H8,
            "--deadline",
            "2025-06-30",
        ],
    )
    .trim()
    .to_owned();
    assert!(task.starts_with("t-"), "{task}");

    // What is not yet on the relay? Her building and the board.
    let status = ok(w, &["status"]);
    assert!(status.contains("change(s) in 2 document(s)"), "{status}");
    sync(w);
    assert_eq!(pending(w), 0);
    assert!(ok(w, &["status"]).contains("the relay has confirmed every change"));

    // Read it back as JSON (as scripts do), and the raw document.
    let hh = json(w, &["household", "show", H8, "--json"]);
    assert_eq!(hh["household"]["notes"], "子女在外地");
    assert_eq!(hh["household"]["members"].as_object().unwrap().len(), 3);
    let url = office.shown["buildings"][&b1]["doc"]
        .as_str()
        .unwrap()
        .to_owned();
    let raw = json(w, &["doc", "show", &url, "--json"]);
    assert_eq!(raw["households"][&new_household]["room"], "601");

    // The grid worker (his own token for the same building) changes the
    // same phone before syncing; she resolves it.
    let grid_token = office.token("grid-worker", &scope, "zhao-phone");
    let zhao = office.device(&grid_token, "grid-zhao");
    let z = zhao.path();
    ok(
        z,
        &["member", "edit", H8, &member, "--phone", "132-2222-2222"],
    );
    ok(
        w,
        &["member", "edit", H8, &member, "--phone", "131-1111-1111"],
    );
    sync(z);
    sync(w);
    let conflicts = json(w, &["conflicts", "--json"]);
    let phone = format!("households/{H8}/members/{member}/phone");
    let found = conflicts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == phone.as_str())
        .unwrap_or_else(|| panic!("no phone conflict: {conflicts}"));
    let text = ok(w, &["conflicts"]);
    assert!(text.contains("by grid-zhao (device "), "{text}");
    let pick = found["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == "132-2222-2222")
        .unwrap()["pick"]
        .as_u64()
        .unwrap()
        .to_string();
    let conflict_url = found["url"].as_str().unwrap().to_owned();
    ok(w, &["resolve", &conflict_url, &phone, "--pick", &pick]);
    sync(w);
    sync(z);
    let seen = json(z, &["household", "show", H8, "--json"]);
    assert_eq!(
        seen["household"]["members"][&member]["phone"],
        "132-2222-2222"
    );
    assert_eq!(
        seen["household"]["visits"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()["by"],
        "head-wang"
    );

    // The office's figures and export see her day.
    let a = office.device.path();
    sync(a);
    let csv = ok(a, &["export", "households", "--format", "csv"]);
    assert!(csv.contains("倪小明"), "the new member is exported");
    let f = json(a, &["stats", "--community", "东湖社区", "--json"]);
    assert_eq!(f["figures"]["tasks_raised"], 1);

    // A document the directory does not name is the office's: `doc new`
    // works offline, but her token cannot put it on the relay, and sync
    // says so instead of pretending.
    assert!(ok(w, &["doc", "new"]).starts_with("automerge:"));
    let refused = fails(w, &["sync", "--timeout", "5"]);
    assert!(
        refused.contains("1 local change(s) not confirmed"),
        "{refused}"
    );
}

#[test]
fn a_volunteers_day_runs_with_his_own_token_and_the_office_counts_his_hours() {
    let office = Office::set_up();
    let community = office.id("communities", "东湖社区");
    let b1 = office.id("buildings", "1栋");
    // v00007 and v00001 are in 党员先锋队, v00003 in 五老宣讲团.
    let team = office.id("teams", "党员先锋队");
    let other_team = office.id("teams", "五老宣讲团");
    let head_token = office.token("building-head", &format!("building:{b1}"), "wang");
    let head = office.device(&head_token, "head-wang");
    let h = head.path();
    let task = ok(
        h,
        &[
            "task",
            "new",
            "--kind",
            "errand",
            "--title",
            "代买降压药",
            "--household",
            H8,
            "--deadline",
            "2099-06-30",
        ],
    )
    .trim()
    .to_owned();
    sync(h);

    let zhu_token = office.token(
        "volunteer",
        &format!("team:{team},community:{community}"),
        "zhu-phone",
    );
    let zhu = office.device(&zhu_token, "v00007");
    let z = zhu.path();
    let other_token = office.token(
        "volunteer",
        &format!("team:{other_team},community:{community}"),
        "sun-phone",
    );
    let sun = office.device(&other_token, "v00003");
    let s = sun.path();

    // The community's needs; both claim offline, Mr. Zhu first.
    let open = ok(z, &["task", "list", "--status", "open"]);
    assert!(
        open.contains(&task) && open.contains("代买降压药"),
        "{open}"
    );
    let said = ok(z, &["task", "claim", &task]);
    assert!(said.contains("it is yours unless"), "{said}");
    ok(s, &["task", "claim", &task]);
    sync(z);
    sync(s);
    let shown = ok(s, &["task", "show", &task]);
    assert!(shown.contains("your claim lost to v00007"), "{shown}");

    // The rest of the task, the hours, and his own figures.
    ok(z, &["task", "start", &task, "--note", "已出发"]);
    ok(z, &["task", "done", &task]);
    let logged = ok(z, &["hours", "log", "--minutes", "45", "--task", &task]);
    assert!(logged.contains("45 minute(s) logged"), "{logged}");
    // Service that was no posted need goes on the community's board.
    ok(
        z,
        &[
            "hours",
            "log",
            "--minutes",
            "120",
            "--date",
            "2025-06-14",
            "--note",
            "社区巡逻",
        ],
    );
    // A mistake, undone by its own volunteer.
    let wrong = ok(z, &["hours", "log", "--minutes", "450", "--note", "打错了"]);
    let wrong_id = wrong
        .split_whitespace()
        .last()
        .expect("entry id")
        .to_owned();
    ok(z, &["hours", "remove", &wrong_id]);
    // Meanwhile, offline on his own phone, the other volunteer logs service
    // without a task (a patrol): it goes on the community's board too.
    ok(s, &["hours", "log", "--minutes", "30", "--note", "巡逻"]);

    let listed = json(z, &["hours", "list", "--volunteer", "v00007", "--json"]);
    let entries = listed.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{listed}");
    // Newest first: today's 45 minutes on the task, then the patrol.
    assert_eq!(entries[0]["entry"]["minutes"], 45);
    assert_eq!(entries[0]["entry"]["task"], task.as_str());
    assert_eq!(entries[1]["entry"]["minutes"], 120);
    assert!(entries[1]["entry"]["task"].is_null());
    let mine = json(z, &["task", "list", "--mine", "--json"]);
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let figures = json(
        z,
        &[
            "stats",
            "--volunteer",
            "v00007",
            "--from",
            "2025-06-01",
            "--to",
            "2099-12-31",
            "--json",
        ],
    );
    assert_eq!(figures["figures"]["tasks_done"], 1);
    assert_eq!(figures["figures"]["service_minutes"], 165);
    sync(z);
    sync(s);
    assert_eq!(pending(z), 0);
    assert_eq!(pending(s), 0);

    // Nobody removes another volunteer's hours.
    let v7_entry = entries[0]["id"].as_str().unwrap().to_owned();
    sync(s);
    let refused = fails(s, &["hours", "remove", &v7_entry]);
    assert!(refused.contains("only they can remove it"), "{refused}");

    // The building head rates the service for the resident, corrects and
    // withdraws tasks, and sees what is overdue.
    sync(h);
    ok(
        h,
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
    let second = ok(
        h,
        &[
            "task",
            "new",
            "--kind",
            "repair",
            "--title",
            "修水管",
            "--building",
            "1栋",
            "--deadline",
            "2001-01-31",
        ],
    )
    .trim()
    .to_owned();
    let overdue = json(h, &["task", "list", "--overdue", "--json"]);
    assert_eq!(overdue.as_array().unwrap().len(), 1, "{overdue}");
    ok(
        h,
        &[
            "task",
            "edit",
            &second,
            "--title",
            "修厨房水管",
            "--deadline",
            "none",
        ],
    );
    ok(h, &["task", "cancel", &second]);
    sync(h);

    // The team leader (her own token) keeps the roster and sees the team's
    // hours; she may not remove a member's entry.
    let leader_token = office.token(
        "team-leader",
        &format!("team:{team},community:{community}"),
        "hao-phone",
    );
    let leader = office.device(&leader_token, "v00001");
    let l = leader.path();
    let added = ok(
        l,
        &[
            "volunteer",
            "add",
            "--team",
            "党员先锋队",
            "--name",
            "王小二",
            "--phone",
            "139-1111-2222",
            "--affiliation",
            "resident",
            "--availability",
            "weekends",
            "--add-skill",
            "errands",
        ],
    )
    .trim()
    .to_owned();
    ok(l, &["volunteer", "edit", &added, "--availability", "any"]);
    let roster = json(l, &["volunteer", "list", "--team", "党员先锋队", "--json"]);
    let v7 = roster
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "v00007")
        .expect("v00007 on the roster");
    assert_eq!(v7["service_minutes"], 165);
    ok(l, &["volunteer", "remove", &added]);
    let skilled = ok(l, &["volunteer", "list", "--skill", "errands"]);
    assert!(!skilled.contains("王小二"), "{skilled}");
    let team_hours = json(l, &["hours", "list", "--team", "党员先锋队", "--json"]);
    let team_entries = team_hours.as_array().unwrap();
    assert_eq!(team_entries.len(), 2, "only v00007's: {team_hours}");
    assert_eq!(team_entries[0]["id"], v7_entry.as_str());
    let refused = fails(l, &["hours", "remove", &v7_entry]);
    assert!(refused.contains("only they can remove it"), "{refused}");
    let team_figures = json(l, &["stats", "--team", "党员先锋队", "--json"]);
    assert_eq!(team_figures["figures"]["service_minutes"], 165);
    sync(l);

    // The office counts both volunteers' hours, logged offline at once.
    let a = office.device.path();
    sync(a);
    let all = json(a, &["hours", "list", "--json"]);
    assert_eq!(all.as_array().unwrap().len(), 3, "{all}");
    let f = json(a, &["stats", "--community", "东湖社区", "--json"]);
    assert_eq!(f["figures"]["service_minutes"], 195);
    assert_eq!(f["figures"]["tasks_done"], 1);
    assert_eq!(f["figures"]["tasks_cancelled"], 1);
    assert_eq!(f["figures"]["average_rating"], 5.0);
    let mine = json(a, &["stats", "--volunteer", "v00007", "--json"]);
    assert_eq!(mine["figures"]["service_minutes"], 165);
}
