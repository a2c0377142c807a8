//! The services list and notices, end to end through a real relay with
//! real `linli` processes, each step with the token of the person it
//! belongs to: a team leader publishes a service with one place; two
//! building heads request it offline; after syncing both devices agree who
//! has the place and the other is told it is full; the team leader accepts,
//! the volunteer finishes, the building head rates, and the office's
//! figures count the service for the team. Then a notice to one community
//! reaches its building heads and no one else's, read receipts made offline
//! arrive, and the office's unread list is exact.

use serde_json::Value;

use super::cli::ok;
use super::relay_process::RelayProcess;

fn get(relay: &RelayProcess, path: &str, token: &str) -> Value {
    let answer = super::http::get(&relay.addr(), path, token);
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()
}
use super::walkthroughs::{H8, Office, json, sync};

const H1: &str = "c01-b001-h0001";

fn request_status(list: &Value, request: &str) -> String {
    list.as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["requests"].as_array().into_iter().flatten())
        .find(|r| r["id"] == request)
        .map(|r| r["status"]["status"].as_str().unwrap_or("").to_owned())
        .unwrap_or_else(|| panic!("no request {request} in {list}"))
}

fn last_line(text: &str) -> String {
    text.trim().lines().last().unwrap_or("").to_owned()
}

#[test]
fn two_heads_request_the_last_place_offline_one_is_served_and_the_figures_count_it() {
    let office = Office::set_up();
    let community = office.id("communities", "东湖社区");
    let b1 = office.id("buildings", "1栋");
    let team = office.id("teams", "党员先锋队");

    // The team leader (v00001) publishes a haircut with one place.
    let leader_token = office.token(
        "team-leader",
        &format!("team:{team},community:{community}"),
        "hao-phone",
    );
    let leader = office.device(&leader_token, "v00001");
    let l = leader.path();
    let service = last_line(&ok(
        l,
        &[
            "service",
            "publish",
            "--team",
            "党员先锋队",
            "--kind",
            "haircut",
            "--title",
            "上门理发",
            "--when",
            "每周六上午",
            "--capacity",
            "1",
            "--cost",
            "free",
        ],
    ));
    sync(l);

    // Two building heads of 1栋, each offline, request the last place.
    let scope = format!("building:{b1}");
    let wang_token = office.token("building-head", &scope, "wang-phone");
    let zhao_token = office.token("building-head", &scope, "zhao-phone");
    let wang = office.device(&wang_token, "head-wang");
    let zhao = office.device(&zhao_token, "head-zhao");
    let (w, z) = (wang.path(), zhao.path());
    let first = ok(w, &["service", "request", &service, "--household", H8]);
    assert!(first.contains("holds a place"), "{first}");
    let wang_request = first.split_whitespace().nth(1).unwrap().to_owned();
    let second = ok(z, &["service", "request", &service, "--household", H1]);
    let zhao_request = second.split_whitespace().nth(1).unwrap().to_owned();
    // Offline, each device thinks its own request holds the place.
    assert_eq!(
        request_status(&json(z, &["service", "list", "--json"]), &zhao_request),
        "waiting"
    );
    sync(w);
    sync(z);
    sync(w);
    for d in [w, z] {
        let list = json(d, &["service", "list", "--json"]);
        assert_eq!(request_status(&list, &wang_request), "waiting");
        assert_eq!(
            request_status(&list, &zhao_request),
            "full",
            "the later one is told"
        );
        assert_eq!(list[0]["places_left"], 0);
    }

    // The leader accepts Wang's request for himself; Zhao's cannot be.
    sync(l);
    let refused = super::cli::linli(l, &["service", "accept", &zhao_request]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("every place is taken"));
    let accepted = ok(l, &["service", "accept", &wang_request]);
    let task = accepted
        .split("task ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .unwrap()
        .to_owned();
    ok(l, &["task", "done", &task]);
    sync(l);
    sync(w);
    let rated = ok(w, &["task", "rate", &task, "--stars", "5"]);
    assert!(rated.contains("rated"), "{rated}");
    sync(w);
    let shown = ok(w, &["task", "show", &task]);
    assert!(shown.contains("上门理发"), "{shown}");

    // The office's figures: one service delivered by the team, answered.
    let o = office.device.path();
    sync(o);
    let stats = json(o, &["stats", "--street", "--json"]);
    let f = &stats["figures"];
    assert_eq!(f["services_delivered"][&team], 1, "{f}");
    assert_eq!(f["ratings"], 1);
    assert_eq!(f["within_response_target_share"], 1.0);
    let page = get(
        &office.relay,
        "/api/office/figures",
        &office.relay.admin_token,
    );
    assert_eq!(page["street"]["services_delivered"][&team], 1, "{page}");
}

#[test]
fn a_notice_reaches_its_communitys_heads_only_and_the_office_knows_who_has_not_read_it() {
    let office = Office::set_up();
    let o = office.device.path();
    let b1 = office.id("buildings", "1栋");
    // Another community with its own building and board.
    ok(
        o,
        &[
            "street",
            "add-building",
            "--community",
            "西湖社区",
            "--name",
            "9栋",
        ],
    );
    ok(
        o,
        &[
            "street",
            "add-board",
            "--community",
            "西湖社区",
            "--period",
            "2025-06",
        ],
    );
    sync(o);
    let shown = json(o, &["street", "show", "--json"])["directory"].clone();
    let b9 = shown["buildings"]
        .as_object()
        .and_then(|m| m.iter().find(|(_, v)| v["name"] == "9栋"))
        .map(|(id, _)| id.clone())
        .unwrap();

    let wang_token = office.token("building-head", &format!("building:{b1}"), "head-wang");
    let zhao_token = office.token("building-head", &format!("building:{b1}"), "head-zhao");
    let west_token = office.token("building-head", &format!("building:{b9}"), "head-xi");
    let notice = last_line(&ok(
        o,
        &[
            "notice",
            "publish",
            "--community",
            "东湖社区",
            "--title",
            "停水通知",
            "--body",
            "周三9点到17点停水，请提前储水",
        ],
    ));
    sync(o);

    let wang = office.device(&wang_token, "head-wang");
    let zhao = office.device(&zhao_token, "head-zhao");
    let west = office.device(&west_token, "head-xi");
    let (w, z, x) = (wang.path(), zhao.path(), west.path());
    let list = json(w, &["notice", "list", "--json"]);
    assert_eq!(list[0]["title"], "停水通知");
    assert_eq!(list[0]["read"], false);
    let west_list = json(x, &["notice", "list", "--json"]);
    assert_eq!(west_list.as_array().map(Vec::len), Some(0), "{west_list}");

    // Both read it offline; only Wang syncs.
    ok(w, &["notice", "read", &notice]);
    ok(z, &["notice", "read", &notice]);
    sync(w);
    let page = get(
        &office.relay,
        "/api/office/notices",
        &office.relay.admin_token,
    );
    let row = &page[0];
    assert_eq!(row["title"], "停水通知");
    assert_eq!(row["read"].as_array().map(Vec::len), Some(1), "{row}");
    assert_eq!(row["unread"], serde_json::json!(["head-zhao"]), "{row}");
    sync(z);
    let page = get(
        &office.relay,
        "/api/office/notices",
        &office.relay.admin_token,
    );
    assert_eq!(page[0]["unread"], serde_json::json!([]), "{}", page[0]);
    assert_eq!(page[0]["read"].as_array().map(Vec::len), Some(2));
    // The west community's head was never expected to read it.
    let readers: Vec<&str> = page[0]["read"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r[0].as_str())
        .collect();
    assert_eq!(readers, ["head-wang", "head-zhao"]);
}

#[test]
fn publishing_a_notice_from_the_office_page_is_the_admins_and_bad_input_changes_nothing() {
    let office = Office::set_up();
    let community = office.id("communities", "东湖社区");
    let addr = office.relay.addr();
    let viewer = office.token("viewer", &format!("community:{community}"), "office-viewer");
    // The relay follows `directory set` within a second.
    let deadline = std::time::Instant::now() + super::relay_process::PATIENCE;
    while super::http::get(&addr, "/api/office/notices", &office.relay.admin_token).status != 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "the relay never took the directory"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let body =
        serde_json::json!({ "communities": [community], "title": "停水通知", "body": "周三" });
    let refused = super::http::post(&addr, "/api/office/notices", &viewer, &body);
    assert_eq!(refused.status, 403, "{}", refused.text());
    for bad in [
        serde_json::json!({ "communities": ["c-nowhere"], "title": "x" }),
        serde_json::json!({ "communities": [community], "title": "  " }),
        serde_json::json!({ "communities": [], "title": "x" }),
        serde_json::json!({ "communities": [community], "title": "x", "deadline": "not a date" }),
    ] {
        let answer = super::http::post(
            &addr,
            "/api/office/notices",
            &office.relay.admin_token,
            &bad,
        );
        assert_eq!(answer.status, 400, "{bad}: {}", answer.text());
        assert!(answer.json()["error"].is_string());
    }
    assert_eq!(
        get(
            &office.relay,
            "/api/office/notices",
            &office.relay.admin_token
        ),
        serde_json::json!([])
    );
    let made = super::http::post(
        &addr,
        "/api/office/notices",
        &office.relay.admin_token,
        &body,
    );
    assert_eq!(made.status, 200, "{}", made.text());
    let rows = get(&office.relay, "/api/office/notices", &viewer);
    assert_eq!(rows[0]["title"], "停水通知");
    assert_eq!(rows[0]["by"], office_admin_name(&office));
}

/// The name the relay's first admin token was made with.
fn office_admin_name(office: &Office) -> String {
    let me = super::http::get(&office.relay.addr(), "/api/me", &office.relay.admin_token);
    me.json()["name"].as_str().unwrap_or_default().to_owned()
}
