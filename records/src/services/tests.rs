use automerge::AutoCommit;

use super::*;
use crate::directory::{self, Community, Directory};
use crate::figures::{Period, ResponseTargets, Scope, figures};
use crate::ids::CommunityId;
use crate::task_board::TaskBoardRef;
use crate::task_fold::TaskStatus;

const HOUR: i64 = 3_600_000;

fn p(s: &str) -> PersonId {
    PersonId::new(s).unwrap()
}

fn board() -> AutoCommit {
    let mut doc = AutoCommit::new();
    task_board::init(
        &mut doc,
        &TaskBoardRef {
            community: CommunityId::new("c1").unwrap(),
            period: "2026-11".into(),
        },
    )
    .unwrap();
    doc
}

fn haircut() -> (ServiceId, Service) {
    (
        ServiceId::new("s-haircut").unwrap(),
        Service {
            provider: TeamId::new("t-barbers").unwrap(),
            kind: "haircut".into(),
            title: "上门理发".into(),
            detail: "行动不便的老人".into(),
            when: "每周六上午".into(),
            capacity: 1,
            cost: Cost::Free,
            by: p("leader-li"),
            at: 1_000,
        },
    )
}

fn ask(service: &ServiceId, household: &str, by: &str, at: i64) -> ServiceRequest {
    ServiceRequest {
        service: service.clone(),
        building: BuildingId::new("b1").unwrap(),
        household: Some(HouseholdId::new(household).unwrap()),
        note: String::new(),
        by: p(by),
        at,
        decisions: BTreeMap::new(),
    }
}

#[test]
fn two_requests_for_the_last_place_made_offline_resolve_alike_and_the_later_is_full() {
    let mut doc = board();
    let (sid, service) = haircut();
    publish(&mut doc, &sid, &service).unwrap();
    doc.commit();
    let mut head_a = doc.fork();
    let mut head_b = doc.fork();
    let a = request(&mut head_a, &ask(&sid, "h1", "head-wang", 5 * HOUR)).unwrap();
    let b = request(&mut head_b, &ask(&sid, "h2", "head-zhao", 4 * HOUR)).unwrap();
    // Each, alone, holds the place.
    assert_eq!(
        status(&TaskBoard::load(&head_a).unwrap(), &a),
        Some(RequestStatus::Waiting)
    );
    head_a.merge(&mut head_b).unwrap();
    head_b.merge(&mut head_a).unwrap();
    for phone in [&head_a, &head_b] {
        let board = TaskBoard::load(phone).unwrap();
        assert_eq!(status(&board, &b), Some(RequestStatus::Waiting));
        assert_eq!(status(&board, &a), Some(RequestStatus::Full));
        assert_eq!(places_left(&board, &sid), 0);
    }
    // The provider cannot accept the one that lost.
    let err = accept(
        &mut head_a,
        &a,
        &VolunteerId::new("v1").unwrap(),
        &p("leader-li"),
        6 * HOUR,
    );
    assert!(matches!(err, Err(WriteError::Refused(_))), "{err:?}");
    // Declining the winner frees the place for the other.
    decline(&mut head_a, &b, &p("leader-li"), 6 * HOUR).unwrap();
    let board = TaskBoard::load(&head_a).unwrap();
    assert_eq!(status(&board, &b), Some(RequestStatus::Declined));
    assert_eq!(status(&board, &a), Some(RequestStatus::Waiting));
}

#[test]
fn an_accepted_request_becomes_a_claimed_task_and_counts_for_its_provider() {
    let mut doc = board();
    let (sid, service) = haircut();
    publish(&mut doc, &sid, &service).unwrap();
    let r = request(&mut doc, &ask(&sid, "h1", "head-wang", 10 * HOUR)).unwrap();
    let v = VolunteerId::new("v1").unwrap();
    let task = accept(&mut doc, &r, &v, &p("leader-li"), 13 * HOUR).unwrap();
    let board = TaskBoard::load(&doc).unwrap();
    assert_eq!(
        status(&board, &r),
        Some(RequestStatus::Accepted {
            task: Some(task.clone()),
            volunteer: Some(v.clone())
        })
    );
    let t = &board.tasks[&task];
    assert_eq!((t.created_at, &t.created_by), (10 * HOUR, &p("head-wang")));
    assert_eq!(t.household, Some(HouseholdId::new("h1").unwrap()));
    let state = t.state();
    assert_eq!(state.status, TaskStatus::Claimed);
    assert_eq!(state.assignee, Some(v.clone()));
    // Accepting again is refused; the volunteer finishes it.
    assert!(accept(&mut doc, &r, &v, &p("leader-li"), 14 * HOUR).is_err());
    let done = TaskEvent::new(&task, 20 * HOUR, PersonId::from(&v), EventKind::Done, "");
    task_board::append_event(&mut doc, &task, &done).unwrap();
    let boards = [TaskBoard::load(&doc).unwrap()];
    let all = Period {
        from: 0,
        to: 100 * HOUR,
    };
    let f = figures(
        &boards,
        &[],
        &Scope::Street,
        all,
        &ResponseTargets::default(),
    );
    assert_eq!(f.services_delivered[&service.provider], 1);
    assert_eq!(f.median_first_response_ms, Some(3 * HOUR));
    assert_eq!(f.within_response_target_share, Some(1.0));
}

/// Response times against each community's own target, by hand:
/// c1 (target 2 h): 1 h, 3 h  → 1 of 2 within;
/// c2 (default 24 h): 20 h, 30 h, 5 h → 2 of 3 within;
/// street: 3 of 5 = 0.6; median of [1, 3, 5, 20, 30] h = 5 h; p90 (5th) = 30 h.
#[test]
fn response_time_figures_use_each_communitys_target() {
    let mut dir = AutoCommit::new();
    directory::init(&mut dir, "街道").unwrap();
    let c1 = CommunityId::new("c1").unwrap();
    let c2 = CommunityId::new("c2").unwrap();
    let mut fast = Community::named("快社区");
    fast.response_target_hours = Some(2);
    directory::put_community(&mut dir, &c1, &fast).unwrap();
    directory::put_community(&mut dir, &c2, &Community::named("慢社区")).unwrap();
    let targets = ResponseTargets::from_directory(&Directory::load(&dir).unwrap());
    let mut boards = Vec::new();
    for (community, responses) in [("c1", vec![1, 3]), ("c2", vec![20, 30, 5])] {
        let mut doc = AutoCommit::new();
        task_board::init(
            &mut doc,
            &TaskBoardRef {
                community: CommunityId::new(community).unwrap(),
                period: "p".into(),
            },
        )
        .unwrap();
        for (i, hours) in responses.into_iter().enumerate() {
            let id = TaskId::new(format!("{community}-{i}")).unwrap();
            let new = NewTask {
                id: id.clone(),
                kind: "errand".into(),
                title: "t".into(),
                detail: String::new(),
                building: BuildingId::new("b").unwrap(),
                household: None,
                deadline: None,
            };
            task_board::create_task(&mut doc, &new, &p("head"), 0).unwrap();
            let claim = TaskEvent::new(&id, hours * HOUR, p("v1"), EventKind::Claimed, "");
            task_board::append_event(&mut doc, &id, &claim).unwrap();
        }
        boards.push(TaskBoard::load(&doc).unwrap());
    }
    let all = Period {
        from: 0,
        to: 100 * HOUR,
    };
    let street = figures(&boards, &[], &Scope::Street, all, &targets);
    assert_eq!(street.responses, 5);
    assert_eq!(street.within_response_target_share, Some(0.6));
    assert_eq!(street.median_first_response_ms, Some(5 * HOUR));
    assert_eq!(street.p90_first_response_ms, Some(30 * HOUR));
    let one = figures(&boards, &[], &Scope::Community(c1), all, &targets);
    assert_eq!(one.within_response_target_share, Some(0.5));
    let two = figures(&boards, &[], &Scope::Community(c2.clone()), all, &targets);
    assert_eq!(two.within_response_target_share, Some(2.0 / 3.0));
    // With no targets set anywhere, 24 h for all: 1, 3, 5, 20 within; 30 not.
    let default = figures(
        &boards,
        &[],
        &Scope::Street,
        all,
        &ResponseTargets::default(),
    );
    assert_eq!(default.within_response_target_share, Some(0.8));
}

#[test]
fn a_request_for_an_unknown_service_is_refused_and_writes_nothing() {
    let mut doc = board();
    doc.commit();
    let heads = doc.get_heads();
    let sid = ServiceId::new("nope").unwrap();
    assert!(matches!(
        request(&mut doc, &ask(&sid, "h1", "head", 1)),
        Err(WriteError::NotFound { .. })
    ));
    doc.commit();
    assert_eq!(doc.get_heads(), heads);
}
