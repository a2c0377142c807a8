//! The street office's pages ask the relay over HTTP (`/api/office/…`).
//! Each test runs every step with the token of the person who takes it:
//! the office's street-admin token for the office, a viewer's own token for
//! a viewer, the building head's and the volunteer's for theirs.

use serde_json::{Value, json};
use tempfile::TempDir;

use super::auth::with_token;
use super::cli::ok;
use super::http::{get, post, post_bytes, request};
use super::raw_peer::RawPeer;
use super::relay_process::PATIENCE;
use super::walkthroughs::{H8, Office, json, sync};

const PERIOD: &str = "from=2025-06-01&to=2099-12-31";

/// The office set up, once the relay follows its directory (the admin
/// CLI's `directory set` reaches a running relay within a second).
fn office() -> Office {
    let office = Office::set_up();
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let answer = get(
            &office.relay.addr(),
            "/api/office/directory",
            &office.relay.admin_token,
        );
        if answer.status == 200 {
            return office;
        }
        assert!(std::time::Instant::now() < deadline, "{}", answer.text());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A need raised by the building head, claimed and done by volunteer
/// v00007 with 45 minutes logged, and rated 4 stars: every figure has
/// something to count.
fn a_served_need(office: &Office) {
    let community = office.id("communities", "东湖社区");
    let b1 = office.id("buildings", "1栋");
    let team = office.id("teams", "党员先锋队");
    let head = office.device(
        &office.token("building-head", &format!("building:{b1}"), "wang"),
        "head-wang",
    );
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
    ok(
        h,
        &[
            "task",
            "new",
            "--kind",
            "repair",
            "--title",
            "修水管",
            "--household",
            H8,
        ],
    );
    sync(h);
    let zhu = office.device(
        &office.token(
            "volunteer",
            &format!("team:{team},community:{community}"),
            "zhu-phone",
        ),
        "v00007",
    );
    let z = zhu.path();
    ok(z, &["task", "claim", &task]);
    ok(z, &["task", "done", &task]);
    ok(z, &["hours", "log", "--minutes", "45", "--task", &task]);
    sync(z);
    sync(h);
    ok(
        h,
        &["task", "rate", &task, "--stars", "4", "--feedback", "好"],
    );
    sync(h);
    sync(office.device.path());
}

fn cli_figures(office: &Office, scope: &[&str]) -> Value {
    let mut args = vec!["stats"];
    args.extend_from_slice(scope);
    args.extend(["--from", "2025-06-01", "--to", "2099-12-31", "--json"]);
    json(office.device.path(), &args)["figures"].clone()
}

#[test]
fn the_office_figures_equal_linli_stats_for_the_street_and_every_community_team_and_volunteer() {
    let office = office();
    a_served_need(&office);
    let addr = office.relay.addr();
    let admin = &office.relay.admin_token;
    let page = get(&addr, &format!("/api/office/figures?{PERIOD}"), admin);
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(
        page.head.contains("cache-control: no-store"),
        "{}",
        page.head
    );
    let page = page.json();

    let street = cli_figures(&office, &["--street"]);
    assert_eq!(page["street"], street);
    assert_eq!(street["tasks_raised"], 2);
    assert_eq!(street["tasks_done"], 1);
    assert_eq!(street["responses"], 1);
    assert_eq!(street["average_rating"], 4.0);
    assert_eq!(street["service_minutes"], 45);
    for (kind, flag) in [
        ("communities", "--community"),
        ("teams", "--team"),
        ("volunteers", "--volunteer"),
    ] {
        let rows = page[kind].as_array().unwrap();
        assert!(!rows.is_empty(), "{kind}");
        for row in rows {
            let id = row["id"].as_str().unwrap();
            assert_eq!(
                row["figures"],
                cli_figures(&office, &[flag, id]),
                "{kind} {id}"
            );
        }
    }
    // The months of the trend add up to the period's raised and done.
    let months = page["months"].as_array().unwrap();
    let sum = |k: &str| {
        months
            .iter()
            .map(|m| m["figures"][k].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(sum("tasks_raised"), 2);
    assert_eq!(sum("tasks_done"), 1);

    // Tasks to chase: the repair nobody has claimed.
    let tasks = get(&addr, "/api/office/tasks", admin).json();
    let unclaimed: Vec<&str> = tasks["unclaimed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(unclaimed, ["修水管"]);

    // Devices: the volunteer's phone had changes stored, by token name;
    // the board's latest change is the building head's rating.
    let devices = get(&addr, "/api/office/devices", admin).json();
    let zhu = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "zhu-phone")
        .expect("zhu-phone listed");
    assert!(zhu["changes"].as_u64().unwrap() > 0, "{zhu}");
    assert!(zhu["last_seen"].as_i64().is_some(), "{zhu}");
    assert!(
        devices["recent_documents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["token_name"] == "wang" && d["what"] == "task board 东湖社区 2025-06"),
        "{devices}"
    );
}

#[test]
fn key_groups_count_tagged_households_and_drill_down_only_where_the_token_may_read() {
    let office = office();
    let addr = office.relay.addr();
    let admin = &office.relay.admin_token;
    let community = office.id("communities", "东湖社区");
    let b1 = office.id("buildings", "1栋");
    let kg = get(&addr, "/api/office/key-groups?days=30", admin).json();
    let building = kg["buildings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == b1.as_str())
        .expect("1栋 counted")
        .clone();
    let listed = get(
        &addr,
        &format!("/api/office/households?building={b1}&which=all"),
        admin,
    )
    .json();
    let rows = listed.as_array().unwrap();
    assert_eq!(building["households"], rows.len());
    let alone = rows
        .iter()
        .filter(|r| {
            r["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t == "elderly-alone")
        })
        .count();
    assert!(alone > 0, "the sample building has elderly living alone");
    assert_eq!(building["tags"]["elderly-alone"], alone);
    // Nobody has visited yet: every household in a key group is overdue.
    assert_eq!(building["not_visited"], building["key_households"]);
    let overdue = get(
        &addr,
        &format!("/api/office/households?building={b1}&which=not-visited&days=30"),
        admin,
    )
    .json();
    assert_eq!(overdue.as_array().unwrap().len(), building["not_visited"]);

    // A viewer of the community sees the same; a viewer of a team only
    // sees no building at all, and its households are "not found".
    let viewer = office.token("viewer", &format!("community:{community}"), "district-li");
    let seen = get(&addr, "/api/office/key-groups?days=30", &viewer).json();
    assert_eq!(seen["street"]["households"], kg["street"]["households"]);
    let team = office.id("teams", "党员先锋队");
    let team_viewer = office.token("viewer", &format!("team:{team}"), "team-watcher");
    let seen = get(&addr, "/api/office/key-groups?days=30", &team_viewer).json();
    assert_eq!(seen["buildings"], json!([]));
    let refused = get(
        &addr,
        &format!("/api/office/households?building={b1}"),
        &team_viewer,
    );
    assert_eq!(refused.status, 404);
    assert!(!refused.text().contains("王"), "{}", refused.text());
}

#[test]
fn a_viewer_reads_the_office_pages_but_every_token_control_answers_403() {
    let office = office();
    let addr = office.relay.addr();
    let community = office.id("communities", "东湖社区");
    let b1 = office.id("buildings", "1栋");
    let viewer = office.token("viewer", &format!("community:{community}"), "district-li");
    assert_eq!(
        get(&addr, &format!("/api/office/figures?{PERIOD}"), &viewer).status,
        200
    );
    assert_eq!(get(&addr, "/api/office/tokens", &viewer).status, 403);
    let body = json!({"name": "x", "role": "viewer", "scope": [format!("community:{community}")]});
    let refused = post(&addr, "/api/office/tokens", &viewer, &body);
    assert_eq!(refused.status, 403);
    assert!(
        refused.json()["error"]
            .as_str()
            .unwrap()
            .contains("street-admin")
    );
    assert_eq!(
        post(
            &addr,
            "/api/office/tokens/district-li/revoke",
            &viewer,
            &json!({})
        )
        .status,
        403
    );
    assert_eq!(
        post(
            &addr,
            "/api/office/tokens/district-li/scope",
            &viewer,
            &json!({"scope": []})
        )
        .status,
        403
    );
    // Nothing was made: the admin's list has no "x".
    let list = get(&addr, "/api/office/tokens", &office.relay.admin_token).json();
    assert!(
        list.as_array().unwrap().iter().all(|t| t["name"] != "x"),
        "{list}"
    );
    // A building head is not the office at all; no token is not anyone.
    let head = office.token("building-head", &format!("building:{b1}"), "wang");
    assert_eq!(get(&addr, "/api/office/figures", &head).status, 403);
    assert_eq!(
        request(&addr, "GET", "/api/office/figures", None, None).status,
        401
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_made_on_the_office_page_signs_in_and_its_revocation_closes_its_connection() {
    let office = tokio::task::spawn_blocking(office).await.unwrap();
    let addr = office.relay.addr();
    let admin = office.relay.admin_token.clone();
    let b1 = office.id("buildings", "1栋");
    let public_url = format!("http://{addr}");

    // Scope ids are checked against the directory; names are unique.
    let bad = post(
        &addr,
        "/api/office/tokens",
        &admin,
        &json!({"name": "wang-2", "role": "building-head", "scope": ["building:nowhere"]}),
    );
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"].as_str().unwrap().contains("nowhere"));
    let made = post(
        &addr,
        "/api/office/tokens",
        &admin,
        &json!({"name": "wang-2", "role": "building-head", "scope": [format!("building:{b1}")],
                "person": "head-wang", "public_url": public_url}),
    );
    assert_eq!(made.status, 200, "{}", made.text());
    let made = made.json();
    let secret = made["token"].as_str().unwrap().to_owned();
    let link = made["link"].as_str().unwrap();
    assert!(link.starts_with(&format!("{public_url}/#token=")), "{link}");
    assert!(link.contains("&as=head-wang"), "{link}");
    assert!(
        made["qr_svg"].as_str().unwrap().contains("<svg"),
        "a QR code to scan"
    );
    let again = post(
        &addr,
        "/api/office/tokens",
        &admin,
        &json!({"name": "wang-2", "role": "viewer", "scope": [format!("building:{b1}")]}),
    );
    assert_eq!(again.status, 400);
    let list = get(&addr, "/api/office/tokens", &admin).json();
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "wang-2")
        .expect("listed");
    assert_eq!(row["scope"], json!([format!("building:{b1}")]));
    assert!(
        !list.to_string().contains(&secret),
        "the list never shows a secret"
    );

    // The new token works for its person: the CLI syncs her building.
    let phone = TempDir::new().unwrap();
    let p = phone.path();
    ok(
        p,
        &[
            "--token",
            &secret,
            "init",
            "--relay",
            &office.relay.bare_url,
            "--as",
            "head-wang",
        ],
    );
    ok(p, &["street", "use", &office.directory]);
    let households = ok(p, &["household", "list"]);
    assert!(households.contains(H8), "{households}");

    // Revoked from the page: its live connection is closed and told why.
    let mut live = RawPeer::join(&with_token(&office.relay, &secret), "wang-2-phone").await;
    let revoked = post(
        &addr,
        "/api/office/tokens/wang-2/revoke",
        &admin,
        &json!({}),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    assert_eq!(
        live.recv_close().await,
        Some((4403, "token revoked".to_owned()))
    );
    let again = post(
        &addr,
        "/api/office/tokens/wang-2/revoke",
        &admin,
        &json!({}),
    );
    assert_eq!(again.status, 404);

    // Rescoping a live token closes its connection too, so it rejoins
    // under the new scope.
    let grid = office.token("grid-worker", &format!("building:{b1}"), "grid-7");
    let mut live = RawPeer::join(&with_token(&office.relay, &grid), "grid-7").await;
    let b3 = office.id("buildings", "3栋");
    let moved = post(
        &addr,
        "/api/office/tokens/grid-7/scope",
        &admin,
        &json!({"scope": [format!("building:{b3}")]}),
    );
    assert_eq!(moved.status, 200, "{}", moved.text());
    assert!(live.recv_close().await.is_some());
    let empty = post(
        &addr,
        "/api/office/tokens/grid-7/scope",
        &admin,
        &json!({"scope": []}),
    );
    assert_eq!(empty.status, 400, "a grid worker needs a building");
}

#[test]
fn exported_spreadsheets_open_in_excel_and_the_csv_imports_back_with_no_change() {
    let office = office();
    let addr = office.relay.addr();
    let admin = &office.relay.admin_token;
    let dir = TempDir::new().unwrap();
    for (what, header) in [
        ("households", "community,"),
        ("volunteers", "team,"),
        ("tasks", "board,"),
    ] {
        let csv = get(
            &addr,
            &format!("/api/office/export?what={what}&format=csv"),
            admin,
        );
        assert_eq!(csv.status, 200, "{}", csv.text());
        assert!(csv.head.contains("text/csv"), "{}", csv.head);
        assert!(csv.head.contains("attachment"), "{}", csv.head);
        assert!(
            csv.body.starts_with(b"\xEF\xBB\xBF"),
            "a BOM, for Excel and WPS"
        );
        assert!(
            csv.text()
                .trim_start_matches('\u{feff}')
                .starts_with(header)
                || what != "households"
                || csv.text().contains(header),
            "{what}"
        );
        let xlsx = get(
            &addr,
            &format!("/api/office/export?what={what}&format=xlsx"),
            admin,
        );
        assert_eq!(xlsx.status, 200);
        assert!(xlsx.body.starts_with(b"PK"), "an xlsx is a zip");
        if what != "tasks" {
            let file = dir.path().join(format!("{what}.csv"));
            std::fs::write(&file, &csv.body).unwrap();
            let out = ok(office.device.path(), &["import", file.to_str().unwrap()]);
            assert!(
                out.contains("0 change(s), 0 row(s) rejected"),
                "{what}: {out}"
            );
        }
    }
    // The households file holds the residents' names (as the CLI's does).
    let csv = get(
        &addr,
        "/api/office/export?what=households&format=csv",
        admin,
    )
    .text();
    let cli = ok(office.device.path(), &["export", "households"]);
    assert_eq!(csv.trim_start_matches('\u{feff}'), cli);
}

/// The lines the import answers with, as JSON.
fn import_lines(addr: &str, token: &str, csv: &[u8]) -> (u16, Vec<Value>) {
    let answer = post_bytes(addr, "/api/office/import", token, "text/csv", csv);
    if answer.status != 200 {
        return (answer.status, vec![answer.json()]);
    }
    let lines = answer
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (200, lines)
}

#[test]
fn a_street_admin_imports_a_spreadsheet_on_the_office_page_with_progress_and_again_changes_nothing()
{
    let office = office();
    let addr = office.relay.addr();
    let admin = &office.relay.admin_token;
    let generated = linli_gen::generate(
        linli_gen::Preset::Community.shape(),
        linli_gen::DEFAULT_SEED,
    );
    let csv = generated.residents_csv.as_bytes();

    // A viewer may not import; nothing is written.
    let community = office.id("communities", "东湖社区");
    let viewer = office.token("viewer", &format!("community:{community}"), "district-li");
    assert_eq!(import_lines(&addr, &viewer, csv).0, 403);

    let (status, lines) = import_lines(&addr, admin, csv);
    assert_eq!(status, 200);
    let progress = lines.iter().filter(|l| l.get("progress").is_some()).count();
    let done = &lines.last().expect("a last line")["done"];
    let buildings = done["imported"].as_array().expect("imported").len();
    assert_eq!(buildings, 30, "the community preset's buildings: {done}");
    assert!(
        progress > buildings,
        "one progress line per building and the end"
    );
    assert_eq!(done["rejected"], json!([]));
    assert!(done["changes"].as_u64().unwrap() > 0);

    // Idempotent, as the CLI's import.
    let (_, again) = import_lines(&addr, admin, csv);
    assert_eq!(
        again.last().unwrap()["done"]["changes"],
        0,
        "{:?}",
        again.last()
    );

    // The office's CLI device syncs the new buildings and their households,
    // and the audit log names the admin token for them.
    let a = office.device.path();
    sync(a);
    let shown = json(a, &["street", "show", "--json"]);
    // The preset shares 1栋 and 3栋 with the sample street: 30 in all.
    assert_eq!(
        shown["directory"]["buildings"].as_object().unwrap().len(),
        30
    );
    let one = done["imported"][0]["building"]["id"].as_str().unwrap();
    let households = json(a, &["household", "list", "--building", one, "--json"]);
    assert!(!households.as_array().unwrap().is_empty(), "{households}");
    let doc = shown["directory"]["buildings"][one]["doc"]
        .as_str()
        .unwrap();
    let audit = get(&addr, &format!("/audit?doc={doc}"), admin).text();
    assert!(audit.contains("street-admin"), "{audit}");

    // A file the importer cannot read says why and writes nothing.
    let (_, bad) = import_lines(&addr, admin, b"not,a,spreadsheet\n1,2,3\n");
    assert!(
        bad.last().unwrap()["error"]
            .as_str()
            .unwrap()
            .contains("cannot import"),
        "{bad:?}"
    );
}
