//! Street relays feeding a district hub (`--upstream`): real relay
//! processes (two streets, one hub, each on its own SQLite file), real
//! devices, and the hub's database read directly afterwards.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use linli_client::{Client, EditError};
use linli_protocol::DocumentId;
use linli_records::building::{self, BuildingRef, HouseholdFields, Member};
use linli_records::directory::{self, Directory};
use linli_records::district::{self, SharedDown, StreetEntry};
use linli_records::ids::{
    BuildingId, CommunityId, DocUrl, HouseholdId, MemberId, PersonId, TaskId,
};
use linli_records::task_board::{self, NewTask, TaskBoard, TaskBoardRef};
use linli_records::task_event::{EventKind, TaskEvent};
use linli_records::vocab::Relation;
use linli_store_pg::test_cluster::TestCluster;
use tempfile::TempDir;

use super::relay_process::{PATIENCE, RelayProcess, admin};

/// How long anything here may take to flow through two relays.
const FLOW: Duration = Duration::from_secs(90);

const RESIDENT: &str = "王秀英";
const PHONE: &str = "139-5555-0101";

fn w<T>(r: Result<T, linli_records::WriteError>) -> Result<T, EditError> {
    r.map_err(|e| EditError::other(e.to_string()))
}

fn url(doc: DocumentId) -> DocUrl {
    DocUrl::new(doc.url()).unwrap()
}

fn with_token(relay: &RelayProcess, token: &str) -> String {
    format!("{}?token={token}", relay.bare_url)
}

/// Syncs until the relay confirms everything, retrying while it refuses a
/// document it does not index yet (or the link is still coming up).
async fn sync_until_complete(client: &Client, url: &str) {
    let deadline = Instant::now() + FLOW;
    loop {
        let report = client.sync_until_idle(url, PATIENCE).await;
        if report.as_ref().is_ok_and(|r| r.is_complete()) {
            return;
        }
        assert!(Instant::now() < deadline, "never complete: {report:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Syncs `client` with `url` until `check` holds.
async fn sync_until<F: Fn(&Client) -> bool>(client: &Client, url: &str, what: &str, check: F) {
    let deadline = Instant::now() + FLOW;
    loop {
        let _ = client.sync_until_idle(url, PATIENCE).await;
        if check(client) {
            return;
        }
        assert!(Instant::now() < deadline, "waited in vain for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A street: its relay, its admin's device, its directory, one building
/// with a resident, one community board with a task.
pub struct Street {
    pub relay: RelayProcess,
    #[allow(dead_code)]
    pub admin: Client,
    pub directory: DocumentId,
    pub building: DocumentId,
    pub board: DocumentId,
    pub community: CommunityId,
    _dirs: (TempDir, TempDir),
}

impl Street {
    pub async fn new(name: &str, community: &str) -> Self {
        let data = TempDir::new().unwrap();
        let home = TempDir::new().unwrap();
        let relay = RelayProcess::start(data.path());
        let admin_device = Client::open(home.path()).unwrap();
        let bref = BuildingRef {
            id: BuildingId::derive(community, "一区", "1栋"),
            community: community.into(),
            compound: "一区".into(),
            name: "1栋".into(),
        };
        let (building, ()) = admin_device
            .create_with(|tx| {
                w(building::init(tx, &bref))?;
                let h = HouseholdId::new("h-0101").unwrap();
                w(building::put_household(
                    tx,
                    &h,
                    &HouseholdFields {
                        unit: "1".into(),
                        floor: Some(1),
                        room: "101".into(),
                        tags: ["elderly-alone".to_owned()].into(),
                        notes: String::new(),
                    },
                ))?;
                w(building::put_member(
                    tx,
                    &h,
                    &MemberId::new("m-1").unwrap(),
                    &Member {
                        name: RESIDENT.into(),
                        gender: None,
                        birth_year: 1941,
                        phone: Some(PHONE.into()),
                        relation: Relation::Head,
                        tags: Default::default(),
                        note: String::new(),
                    },
                ))
            })
            .unwrap();
        let cid = CommunityId::derive(community);
        let bref_board = TaskBoardRef {
            community: cid.clone(),
            period: "2025-06".into(),
        };
        let (board, _) = admin_device
            .create_with(|tx| {
                w(task_board::init(tx, &bref_board))?;
                w(task_board::create_task(
                    tx,
                    &NewTask {
                        id: TaskId::new(format!("t-{name}")).unwrap(),
                        kind: "errand".into(),
                        title: format!("{name} 代买药品"),
                        detail: String::new(),
                        building: bref.id.clone(),
                        household: None,
                        deadline: None,
                    },
                    &PersonId::new("head-1").unwrap(),
                    1_750_000_000_000,
                ))
            })
            .unwrap();
        let (dir, ()) = admin_device
            .create_with(|tx| {
                w(directory::init(tx, name))?;
                w(directory::register_building(
                    tx,
                    &bref,
                    Some(&url(building)),
                ))?;
                w(directory::register_board(
                    tx,
                    &bref_board,
                    Some(&url(board)),
                ))
            })
            .unwrap();
        admin_device.set_directory_id(dir).unwrap();
        sync_until_complete(&admin_device, &relay.url).await;
        admin(&relay.data, &["directory", "set", &dir.url()]);
        Self {
            relay,
            admin: admin_device,
            directory: dir,
            building,
            board,
            community: cid,
            _dirs: (data, home),
        }
    }

    /// Restarts the relay linked to `hub` with `token`.
    pub fn link(&mut self, hub: &RelayProcess, token: &str) {
        self.link_with(hub, token, &[]);
    }

    /// [`Self::link`] with more `linli-relay` arguments.
    pub fn link_with(&mut self, hub: &RelayProcess, token: &str, extra: &[&str]) {
        let mut args = vec![
            "--upstream",
            hub.bare_url.as_str(),
            "--upstream-token",
            token,
        ];
        args.extend_from_slice(extra);
        self.relay.restart_with(&args);
    }
}

/// The hub, its district directory listing both streets, and their
/// street-relay tokens.
pub struct Hub {
    pub relay: RelayProcess,
    /// `--storage postgres://…` when the hub runs on PostgreSQL.
    pub storage: Option<String>,
    #[allow(dead_code)]
    pub operator: Client,
    pub district: DocumentId,
    pub tokens: BTreeMap<&'static str, String>,
    _dirs: (TempDir, TempDir),
}

impl Hub {
    pub async fn new(streets: &[(&'static str, &Street)]) -> Self {
        Self::on(streets, None).await
    }

    /// A hub on `storage` (a PostgreSQL URL), or on SQLite in its data
    /// folder.
    pub async fn on(streets: &[(&'static str, &Street)], storage: Option<String>) -> Self {
        let data = TempDir::new().unwrap();
        let home = TempDir::new().unwrap();
        let relay = match &storage {
            Some(db) => RelayProcess::start_with(data.path(), &["--storage", db]),
            None => RelayProcess::start(data.path()),
        };
        let hub_admin = |args: &[&str]| {
            let mut all = args.to_vec();
            if let Some(db) = &storage {
                all.extend(["--storage", db.as_str()]);
            }
            admin(&relay.data, &all)
        };
        let operator = Client::open(home.path()).unwrap();
        let (district_doc, ()) = operator
            .create_with(|tx| {
                w(district::init(tx, "东湖区"))?;
                for (id, street) in streets {
                    w(district::put_street(
                        tx,
                        id,
                        &StreetEntry {
                            name: id.to_string(),
                            directory: Some(url(street.directory)),
                        },
                    ))?;
                }
                Ok(())
            })
            .unwrap();
        sync_until_complete(&operator, &relay.url).await;
        hub_admin(&["directory", "set", &district_doc.url()]);
        // Once a district viewer can fetch the district directory, the hub
        // runs as a hub.
        let vhome = TempDir::new().unwrap();
        let viewer = Client::open(vhome.path()).unwrap();
        let token = |role: &str, scope: &str, name: &str| {
            let mut args = vec!["token", "create", "--role", role, "--name", name];
            if !scope.is_empty() {
                args.extend(["--scope", scope]);
            }
            hub_admin(&args).trim().to_owned()
        };
        let v_url = with_token(&relay, &token("district-viewer", "", "watcher"));
        viewer.want(district_doc).unwrap();
        sync_until(
            &viewer,
            &v_url,
            "the hub to follow its district directory",
            |c| c.contains(district_doc).unwrap_or(false),
        )
        .await;
        let mut tokens = BTreeMap::new();
        for (id, _) in streets {
            let t = token(
                "street-relay",
                &format!("street:{id}"),
                &format!("relay-{id}"),
            );
            tokens.insert(*id, t);
        }
        Self {
            relay,
            storage,
            operator,
            district: district_doc,
            tokens,
            _dirs: (data, home),
        }
    }
}

/// `linli-relay upstream status` on a street relay: whether it says the
/// hub has everything, and what it printed.
fn upstream_status(relay: &RelayProcess) -> (bool, String) {
    let out = std::process::Command::new(super::relay_process::binary("linli-relay"))
        .args(["upstream", "status", "--data"])
        .arg(&relay.data)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

/// Waits until the street relay says the hub has everything it shares.
async fn wait_caught_up(relay: &RelayProcess) {
    wait_status(relay, "the hub to hold everything", |ok, text| {
        ok && text.contains("link: up") && text.contains("0 behind")
    })
    .await;
}

async fn wait_status(relay: &RelayProcess, what: &str, check: impl Fn(bool, &str) -> bool) {
    let deadline = Instant::now() + FLOW;
    loop {
        let (ok, text) = upstream_status(relay);
        if check(ok, &text) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "waited in vain for {what}: {text}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn add_task(client: &Client, board: DocumentId, id: &str) {
    client
        .change(board, |tx| {
            w(task_board::create_task(
                tx,
                &NewTask {
                    id: TaskId::new(id).unwrap(),
                    kind: "errand".into(),
                    title: format!("task {id}"),
                    detail: String::new(),
                    building: BuildingId::new("any").unwrap(),
                    household: None,
                    deadline: None,
                },
                &PersonId::new("head-1").unwrap(),
                1_750_000_000_000,
            ))
        })
        .unwrap();
}

fn task_count(client: &Client, board: DocumentId) -> usize {
    client
        .read(board, |d| {
            TaskBoard::load(d).map(|b| b.tasks.len()).unwrap_or(0)
        })
        .unwrap_or(0)
}

impl Hub {
    /// Makes a token with the hub's admin CLI.
    pub fn create_token(&self, role: &str, scope: &str, name: &str) -> String {
        let mut args = vec!["token", "create", "--role", role, "--name", name];
        if !scope.is_empty() {
            args.extend(["--scope", scope]);
        }
        if let Some(db) = &self.storage {
            args.extend(["--storage", db.as_str()]);
        }
        admin(&self.relay.data, &args).trim().to_owned()
    }
}

fn has_task(client: &Client, board: DocumentId, task: &str) -> bool {
    client
        .read(board, |d| {
            TaskBoard::load(d)
                .map(|b| b.tasks.contains_key(&TaskId::new(task).unwrap()))
                .unwrap_or(false)
        })
        .unwrap_or(false)
}

/// Every document in a relay's database, rendered as JSON text, by id.
fn stored_documents(data: &Path) -> BTreeMap<DocumentId, String> {
    let store = linli_store::Store::open_backup_read_only(&data.join("relay.sqlite")).unwrap();
    store
        .list()
        .unwrap()
        .into_iter()
        .map(|id| {
            let doc = store.load(&id).unwrap().unwrap_or_default();
            (id, linli_records::json::to_json(&doc).to_string())
        })
        .collect()
}

/// A street's board and summary reach the hub on the link's first offer:
/// the directory that names them goes up first. With the re-offer a day
/// away, a board the hub refused because it did not know it yet would
/// never arrive, and this would wait in vain.
#[tokio::test]
async fn everything_a_street_shares_reaches_the_hub_on_the_first_offer() {
    let mut a = Street::new("东湖街道", "东湖社区").await;
    let hub = Hub::new(&[("a", &a)]).await;
    a.link_with(
        &hub.relay,
        &hub.tokens["a"],
        &["--upstream-reoffer-secs", "86400"],
    );
    // The directory, the board and the street summary (and the district
    // directory, which comes down).
    wait_status(&a.relay, "the hub to hold all of them", |ok, text| {
        ok && text.contains("link: up")
            && text.contains("(0 behind)")
            && text.matches("\n  ok ").count() >= 4
    })
    .await;
}

#[tokio::test]
async fn streets_feed_the_hub_what_they_share_and_a_district_board_comes_down_to_a_volunteer() {
    let mut a = Street::new("东湖街道", "东湖社区").await;
    let mut b = Street::new("西湖街道", "西湖社区").await;
    let hub = Hub::new(&[("a", &a), ("b", &b)]).await;
    a.link(&hub.relay, &hub.tokens["a"]);
    b.link(&hub.relay, &hub.tokens["b"]);

    // A district admin on the hub sees street A's board and B's directory.
    let home = TempDir::new().unwrap();
    let district_admin = Client::open(home.path()).unwrap();
    let da_url = with_token(
        &hub.relay,
        &hub.relay
            .create_token("district-admin", "", "district-office"),
    );
    district_admin.want(a.board).unwrap();
    district_admin.want(b.directory).unwrap();
    sync_until(
        &district_admin,
        &da_url,
        "street A's board on the hub",
        |c| {
            has_task(c, a.board, "t-东湖街道")
                && c.read(b.directory, |d| Directory::load(d).is_ok())
                    .unwrap_or(false)
        },
    )
    .await;

    // And street B's summary, counts only, written by B's relay.
    sync_until(
        &district_admin,
        &da_url,
        "street B's summary on the hub",
        |c| {
            let summary = c
                .read(b.directory, |d| district::summary_url(d).ok().flatten())
                .ok()
                .flatten()
                .and_then(|u| DocumentId::parse_id_or_url(u.as_str()).ok());
            summary.is_some_and(|s| {
                let _ = c.want(s);
                c.read(s, |d| {
                linli_records::json::to_json(d)["communities"][b.community.as_str()]["households"]
                    == 1
            })
            .unwrap_or(false)
            })
        },
    )
    .await;

    // The district shares a board down to street B's community.
    let shared_board = TaskBoardRef {
        community: b.community.clone(),
        period: "2025-07".into(),
    };
    let (down, _) = district_admin
        .create_with(|tx| {
            w(task_board::init(tx, &shared_board))?;
            w(task_board::create_task(
                tx,
                &NewTask {
                    id: TaskId::new("t-district").unwrap(),
                    kind: "visit".into(),
                    title: "全区独居老人走访".into(),
                    detail: String::new(),
                    building: BuildingId::new("any").unwrap(),
                    household: None,
                    deadline: None,
                },
                &PersonId::new("district-office").unwrap(),
                1_751_000_000_000,
            ))
        })
        .unwrap();
    district_admin.want(hub.district).unwrap();
    sync_until(&district_admin, &da_url, "the district directory", |c| {
        c.contains(hub.district).unwrap_or(false)
    })
    .await;
    district_admin
        .change(hub.district, |tx| {
            w(district::put_shared(
                tx,
                "d1",
                &SharedDown {
                    doc: url(down),
                    title: "全区独居老人走访".into(),
                    period: "2025-07".into(),
                    streets: [("b".to_owned(), b.community.clone())].into(),
                },
            ))
        })
        .unwrap();
    sync_until_complete(&district_admin, &da_url).await;

    // A volunteer of B's community, on B's relay only, finds it in B's
    // directory, claims it offline, and syncs.
    let vhome = TempDir::new().unwrap();
    let volunteer = Client::open(vhome.path()).unwrap();
    let v_url = with_token(
        &b.relay,
        &b.relay.create_token(
            "volunteer",
            &format!("team:t1,community:{}", b.community),
            "li-phone",
        ),
    );
    volunteer.want(b.directory).unwrap();
    sync_until(
        &volunteer,
        &v_url,
        "the district board in B's directory",
        |c| {
            c.read(b.directory, |d| {
                Directory::load(d).is_ok_and(|dir| {
                    dir.boards
                        .get(&district::down_board_id("d1").unwrap())
                        .is_some_and(|e| e.doc == Some(url(down)))
                })
            })
            .unwrap_or(false)
        },
    )
    .await;
    volunteer.want(down).unwrap();
    sync_until(
        &volunteer,
        &v_url,
        "the district board on B's device",
        |c| has_task(c, down, "t-district"),
    )
    .await;
    let task = TaskId::new("t-district").unwrap();
    volunteer
        .change(down, |tx| {
            w(task_board::append_event(
                tx,
                &task,
                &TaskEvent::new(
                    &task,
                    1_751_000_100_000,
                    PersonId::new("v-li").unwrap(),
                    EventKind::Claimed,
                    "",
                ),
            ))
        })
        .unwrap();
    sync_until_complete(&volunteer, &v_url).await;

    // The claim is on the hub.
    sync_until(
        &district_admin,
        &da_url,
        "the volunteer's claim on the hub",
        |c| {
            c.read(down, |d| {
                TaskBoard::load(d).is_ok_and(|b| {
                    b.tasks
                        .get(&task)
                        .is_some_and(|t| t.events.iter().any(|e| e.kind == EventKind::Claimed))
                })
            })
            .unwrap_or(false)
        },
    )
    .await;

    // `linli-relay upstream status` on B says the hub has everything.
    wait_caught_up(&b.relay).await;

    // The hub's own database: no building document, no resident's name or
    // phone, from either street.
    let stored = stored_documents(&hub.relay.data);
    assert!(stored.contains_key(&a.board) && stored.contains_key(&b.directory));
    for street in [&a, &b] {
        assert!(!stored.contains_key(&street.building), "a building went up");
    }
    for (id, text) in &stored {
        assert!(!text.contains(RESIDENT), "{id} holds a resident's name");
        assert!(!text.contains(PHONE), "{id} holds a phone number");
    }
}

#[tokio::test]
async fn a_hub_on_postgres_killed_mid_sync_and_a_street_offline_for_a_day_converge_with_nothing_lost()
 {
    let cluster = TestCluster::start().expect("a test PostgreSQL");
    let db = cluster.create_database().await.expect("a database");
    let mut a = Street::new("东湖街道", "东湖社区").await;
    let mut hub = Hub::on(&[("a", &a)], Some(db)).await;
    a.link(&hub.relay, &hub.tokens["a"]);
    let home = TempDir::new().unwrap();
    let office = Client::open(home.path()).unwrap();
    let office_token = hub.create_token("district-admin", "", "district-office");
    office.want(a.board).unwrap();
    sync_until(
        &office,
        &with_token(&hub.relay, &office_token),
        "A's board",
        |c| task_count(c, a.board) == 1,
    )
    .await;

    // The street keeps working while the hub is SIGKILLed mid-sync.
    for i in 0..20 {
        add_task(&a.admin, a.board, &format!("t-before-kill-{i}"));
    }
    sync_until_complete(&a.admin, &a.relay.url).await;
    hub.relay.kill9();
    hub.relay.restart();
    for i in 0..20 {
        add_task(&a.admin, a.board, &format!("t-after-kill-{i}"));
    }
    sync_until_complete(&a.admin, &a.relay.url).await;

    // Street A's relay is off for "a day": its devices edit offline, and
    // the district edits A's board on the hub meanwhile.
    a.relay.terminate();
    for i in 0..20 {
        add_task(&a.admin, a.board, &format!("t-offline-{i}"));
    }
    let da_url = with_token(&hub.relay, &office_token);
    add_task(&office, a.board, "t-from-the-district");
    sync_until_complete(&office, &da_url).await;
    a.relay.restart();
    sync_until_complete(&a.admin, &a.relay.url).await;

    // Everything converges: 61 tasks on the hub, on the street, on both
    // devices, and the street says the hub has everything.
    let all = 1 + 60 + 1;
    sync_until(&office, &da_url, "everything on the hub", |c| {
        task_count(c, a.board) == all
    })
    .await;
    sync_until(
        &a.admin,
        &a.relay.url,
        "the district's task on the street",
        |c| task_count(c, a.board) == all,
    )
    .await;
    wait_caught_up(&a.relay).await;
    assert_eq!(
        a.admin.heads(a.board).unwrap().len(),
        office.heads(a.board).unwrap().len()
    );
}

#[tokio::test]
async fn a_revoked_street_relay_is_disconnected_and_its_documents_stop_flowing() {
    let mut a = Street::new("东湖街道", "东湖社区").await;
    let hub = Hub::new(&[("a", &a)]).await;
    a.link(&hub.relay, &hub.tokens["a"]);
    wait_caught_up(&a.relay).await;

    admin(&hub.relay.data, &["token", "revoke", "relay-a"]);
    wait_status(&a.relay, "the link to close and stay refused", |_, text| {
        text.contains("link: down") && text.contains("refused the upstream token")
    })
    .await;

    // The street works on; nothing of it reaches the hub any more.
    add_task(&a.admin, a.board, "t-after-revocation");
    sync_until_complete(&a.admin, &a.relay.url).await;
    let (_, text) = upstream_status(&a.relay);
    assert!(text.contains("link: down"), "{text}");
    let stored = stored_documents(&hub.relay.data);
    assert!(stored[&a.board].contains("t-东湖街道"));
    assert!(!stored[&a.board].contains("t-after-revocation"));
}
