//! Random concurrent edits on forked documents converge after merging, in
//! any merge order, and the task fold agrees everywhere.

use automerge::{ActorId, AutoCommit};
use linli_records::building::{self, Building, HouseholdFields, Member, Visit};
use linli_records::conflicts::list_conflicts;
use linli_records::error::WriteError;
use linli_records::ids::{
    BuildingId, CommunityId, HouseholdId, MemberId, PersonId, TaskId, VisitId,
};
use linli_records::task_board::{self, NewTask, TaskBoard, TaskBoardRef, TaskEdit};
use linli_records::task_event::{EventKind, TaskEvent};
use linli_records::task_fold::fold;
use linli_records::vocab::Relation;
use proptest::prelude::*;

const NAMES: [&str; 4] = ["王伟", "李娜", "张强", "刘芳"];
const TAGS: [&str; 3] = ["elderly-alone", "disabled", "low-income"];

fn hid(i: u8) -> HouseholdId {
    HouseholdId::new(format!("h{i}")).unwrap()
}

fn mid(h: u8, n: u8) -> MemberId {
    MemberId::derive(&hid(h), NAMES[n as usize], 1950 + i32::from(n))
}

#[derive(Debug, Clone)]
enum BuildingOp {
    PutMember {
        hh: u8,
        name: u8,
        phone: Option<u8>,
        tags: Vec<u8>,
    },
    RemoveMember {
        hh: u8,
        name: u8,
    },
    PutHousehold {
        hh: u8,
        room: u8,
        tags: Vec<u8>,
        notes: u8,
    },
    RemoveHousehold {
        hh: u8,
    },
    Visit {
        hh: u8,
        by: u8,
        at: u8,
    },
}

fn building_op() -> impl Strategy<Value = BuildingOp> {
    let tags = proptest::collection::vec(0u8..3, 0..3);
    prop_oneof![
        4 => (0u8..3, 0u8..4, proptest::option::of(0u8..3), tags.clone())
            .prop_map(|(hh, name, phone, tags)| BuildingOp::PutMember { hh, name, phone, tags }),
        1 => (0u8..3, 0u8..4).prop_map(|(hh, name)| BuildingOp::RemoveMember { hh, name }),
        2 => (0u8..4, 0u8..3, tags, 0u8..3)
            .prop_map(|(hh, room, tags, notes)| BuildingOp::PutHousehold { hh, room, tags, notes }),
        1 => (0u8..4).prop_map(|hh| BuildingOp::RemoveHousehold { hh }),
        2 => (0u8..3, 0u8..3, 0u8..20).prop_map(|(hh, by, at)| BuildingOp::Visit { hh, by, at }),
    ]
}

fn tag_set(tags: &[u8]) -> std::collections::BTreeSet<String> {
    tags.iter().map(|t| TAGS[*t as usize].to_owned()).collect()
}

fn apply_building_op(doc: &mut AutoCommit, op: &BuildingOp) {
    let result = match op {
        BuildingOp::PutMember {
            hh,
            name,
            phone,
            tags,
        } => {
            let member = Member {
                name: NAMES[*name as usize].to_owned(),
                gender: None,
                birth_year: 1950 + i32::from(*name),
                phone: phone.map(|p| format!("138-0000-000{p}")),
                relation: Relation::Other,
                tags: tag_set(tags),
                note: String::new(),
            };
            building::put_member(doc, &hid(*hh), &mid(*hh, *name), &member)
        }
        BuildingOp::RemoveMember { hh, name } => {
            building::remove_member(doc, &hid(*hh), &mid(*hh, *name))
        }
        BuildingOp::PutHousehold {
            hh,
            room,
            tags,
            notes,
        } => building::put_household(
            doc,
            &hid(*hh),
            &HouseholdFields {
                unit: "1".into(),
                floor: Some(1),
                room: format!("10{room}"),
                tags: tag_set(tags),
                notes: ["", "需定期走访", "门铃坏了"][*notes as usize].to_owned(),
            },
        ),
        BuildingOp::RemoveHousehold { hh } => building::remove_household(doc, &hid(*hh)),
        BuildingOp::Visit { hh, by, at } => {
            let by = PersonId::new(format!("head{by}")).unwrap();
            let at = i64::from(*at) * 1_000;
            building::put_visit(
                doc,
                &hid(*hh),
                &VisitId::derive(&hid(*hh), &by, at),
                &Visit {
                    by,
                    at,
                    note: "ok".into(),
                },
            )
        }
    };
    match result {
        Ok(()) | Err(WriteError::NotFound { .. }) => {}
        Err(e) => panic!("{op:?}: {e}"),
    }
    doc.commit();
}

fn base_building() -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(b"base".as_slice()));
    building::init(
        &mut doc,
        &building::BuildingRef {
            id: BuildingId::new("b1").unwrap(),
            community: "东湖社区".into(),
            compound: String::new(),
            name: "1栋".into(),
        },
    )
    .unwrap();
    for h in 0..3 {
        building::put_household(&mut doc, &hid(h), &HouseholdFields::default()).unwrap();
    }
    doc.commit();
    doc
}

/// Forks `base` once per op list (each with its own actor) and applies the ops.
fn replicas<O>(
    base: &mut AutoCommit,
    ops: &[Vec<O>],
    apply: impl Fn(&mut AutoCommit, &O),
) -> Vec<AutoCommit> {
    ops.iter()
        .enumerate()
        .map(|(i, ops)| {
            let mut r = base.fork().with_actor(ActorId::from(vec![i as u8 + 1; 4]));
            for op in ops {
                apply(&mut r, op);
            }
            r
        })
        .collect()
}

/// Every order of merging three replicas into one document.
fn merged_in_every_order(replicas: &mut [AutoCommit]) -> Vec<AutoCommit> {
    const ORDERS: [[usize; 3]; 6] = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    ORDERS
        .iter()
        .map(|order| {
            let mut doc = replicas[order[0]].fork();
            for &i in &order[1..] {
                doc.merge(&mut replicas[i]).unwrap();
            }
            doc
        })
        .collect()
}

fn sorted_heads(doc: &mut AutoCommit) -> Vec<automerge::ChangeHash> {
    let mut h = doc.get_heads();
    h.sort();
    h
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn building_edits_converge_in_any_merge_order(
        ops in proptest::collection::vec(proptest::collection::vec(building_op(), 0..12), 3)
    ) {
        let mut base = base_building();
        let mut reps = replicas(&mut base, &ops, apply_building_op);
        let mut merged = merged_in_every_order(&mut reps);
        let first = Building::load(&merged[0]).unwrap();
        let first_heads = sorted_heads(&mut merged[0]);
        let first_conflicts = list_conflicts(merged[0].document()).unwrap();
        for doc in &mut merged[1..] {
            prop_assert_eq!(sorted_heads(doc), first_heads.clone());
            prop_assert_eq!(Building::load(&*doc).unwrap(), first.clone());
            prop_assert_eq!(list_conflicts(doc.document()).unwrap(), first_conflicts.clone());
        }
    }
}

#[derive(Debug, Clone)]
enum BoardOp {
    Event {
        task: u8,
        at: u8,
        by: u8,
        kind: u8,
        stars: u8,
    },
    Retitle {
        task: u8,
        title: u8,
    },
}

fn board_op() -> impl Strategy<Value = BoardOp> {
    prop_oneof![
        6 => (0u8..2, 0u8..30, 0u8..4, 0u8..5, 1u8..=5)
            .prop_map(|(task, at, by, kind, stars)| BoardOp::Event { task, at, by, kind, stars }),
        1 => (0u8..2, 0u8..3).prop_map(|(task, title)| BoardOp::Retitle { task, title }),
    ]
}

fn tid(i: u8) -> TaskId {
    TaskId::new(format!("t{i}")).unwrap()
}

fn event_of(task: u8, at: u8, by: u8, kind: u8, stars: u8) -> TaskEvent {
    // Volunteers v0..v2 claim, start and finish; "head" rates and cancels.
    let (by, kind) = match kind {
        0 => (format!("v{}", by % 3), EventKind::Claimed),
        1 => (format!("v{}", by % 3), EventKind::Started),
        2 => (format!("v{}", by % 3), EventKind::Done),
        3 => (
            "head".to_owned(),
            EventKind::Rated {
                stars,
                feedback: String::new(),
            },
        ),
        _ => ("head".to_owned(), EventKind::Cancelled),
    };
    TaskEvent::new(
        &tid(task),
        100 + i64::from(at),
        PersonId::new(by).unwrap(),
        kind,
        "",
    )
}

fn apply_board_op(doc: &mut AutoCommit, op: &BoardOp) {
    match op {
        BoardOp::Event {
            task,
            at,
            by,
            kind,
            stars,
        } => {
            task_board::append_event(doc, &tid(*task), &event_of(*task, *at, *by, *kind, *stars))
                .unwrap();
        }
        BoardOp::Retitle { task, title } => {
            let edit = TaskEdit {
                title: Some(["修水管", "送药", "陪诊"][*title as usize].to_owned()),
                ..TaskEdit::default()
            };
            task_board::edit_task(doc, &tid(*task), &edit).unwrap();
        }
    }
    doc.commit();
}

fn base_board() -> (AutoCommit, Vec<TaskEvent>) {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(b"base".as_slice()));
    task_board::init(
        &mut doc,
        &TaskBoardRef {
            community: CommunityId::new("c1").unwrap(),
            period: "2025-06".into(),
        },
    )
    .unwrap();
    let head = PersonId::new("head").unwrap();
    let mut created = Vec::new();
    for i in 0..2 {
        let new = NewTask {
            id: tid(i),
            kind: "repair".into(),
            title: "修水管".into(),
            detail: String::new(),
            building: BuildingId::new("b1").unwrap(),
            household: None,
            deadline: None,
        };
        task_board::create_task(&mut doc, &new, &head, 50).unwrap();
        created.push(TaskEvent::new(
            &tid(i),
            50,
            head.clone(),
            EventKind::Created,
            "",
        ));
    }
    doc.commit();
    (doc, created)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn concurrent_event_appends_fold_the_same_in_any_merge_order(
        ops in proptest::collection::vec(proptest::collection::vec(board_op(), 0..10), 3)
    ) {
        let (mut base, created) = base_board();
        let mut reps = replicas(&mut base, &ops, apply_board_op);
        let mut merged = merged_in_every_order(&mut reps);
        let boards: Vec<TaskBoard> = merged.iter().map(|d| TaskBoard::load(d).unwrap()).collect();
        for b in &boards[1..] {
            prop_assert_eq!(b, &boards[0]);
        }
        let heads = sorted_heads(&mut merged[0]);
        for doc in &mut merged[1..] {
            prop_assert_eq!(sorted_heads(doc), heads.clone());
        }

        for t in 0..2u8 {
            // The model: every event any replica appended, without automerge.
            let mut model: Vec<TaskEvent> = vec![created[t as usize].clone()];
            for replica_ops in &ops {
                for op in replica_ops {
                    if let BoardOp::Event { task, at, by, kind, stars } = op
                        && *task == t
                    {
                        model.push(event_of(*task, *at, *by, *kind, *stars));
                    }
                }
            }
            let state = boards[0].tasks[&tid(t)].state();
            prop_assert_eq!(&state, &fold(&model));

            // Exactly the earliest claim holds the task, unless a cancel came first.
            let mut sorted = model.clone();
            sorted.sort();
            let first_claim = sorted.iter().find(|e| e.kind == EventKind::Claimed);
            let first_cancel = sorted.iter().find(|e| e.kind == EventKind::Cancelled);
            let expected = match (first_claim, first_cancel) {
                (Some(c), Some(x)) if x < c => None,
                (Some(c), _) => Some(c.by.as_str().to_owned()),
                (None, _) => None,
            };
            prop_assert_eq!(state.assignee.as_ref().map(|a| a.as_str().to_owned()), expected);
            if let Some(a) = &state.assignee {
                prop_assert!(!state.lost_claims.contains(a));
            }
        }
    }
}

/// A request (or a decline of one) made on one replica of a board that
/// offers one service with two places.
#[derive(Debug, Clone)]
enum PlaceOp {
    Request { household: u8, by: u8, at: u8 },
    DeclineFirst { at: u8 },
}

fn place_op() -> impl Strategy<Value = PlaceOp> {
    prop_oneof![
        4 => (0u8..4, 0u8..3, 0u8..20).prop_map(|(household, by, at)| PlaceOp::Request { household, by, at }),
        1 => (20u8..30).prop_map(|at| PlaceOp::DeclineFirst { at }),
    ]
}

fn sid() -> linli_records::ids::ServiceId {
    linli_records::ids::ServiceId::new("s-1").unwrap()
}

fn apply_place_op(doc: &mut AutoCommit, op: &PlaceOp) {
    use linli_records::services::{self, ServiceRequest};
    match op {
        PlaceOp::Request { household, by, at } => {
            let request = ServiceRequest {
                service: sid(),
                building: BuildingId::new("b1").unwrap(),
                household: Some(hid(*household)),
                note: String::new(),
                by: PersonId::new(format!("head-{by}")).unwrap(),
                at: i64::from(*at),
                decisions: Default::default(),
            };
            // The same request twice on one replica is refused; fine.
            let _ = services::request(doc, &request);
        }
        PlaceOp::DeclineFirst { at } => {
            let board = TaskBoard::load(&*doc).unwrap();
            if let Some((first, _)) = services::places(&board, &sid()).into_iter().next() {
                let by = PersonId::new("leader").unwrap();
                let _ = services::decline(doc, &first, &by, i64::from(*at));
            }
        }
    }
    doc.commit();
}

fn base_offer() -> AutoCommit {
    use linli_records::services::{self, Cost, Service};
    let mut doc = AutoCommit::new();
    task_board::init(
        &mut doc,
        &TaskBoardRef {
            community: CommunityId::new("c1").unwrap(),
            period: "p".into(),
        },
    )
    .unwrap();
    let service = Service {
        provider: linli_records::ids::TeamId::new("t1").unwrap(),
        kind: "haircut".into(),
        title: "理发".into(),
        detail: String::new(),
        when: String::new(),
        capacity: 2,
        cost: Cost::Free,
        by: PersonId::new("leader").unwrap(),
        at: 0,
    };
    services::publish(&mut doc, &sid(), &service).unwrap();
    doc.commit();
    doc
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Requests for the last places made offline on three phones give the
    /// same places everywhere, in any merge order, never more than the
    /// capacity, and earlier requests before later ones.
    #[test]
    fn requests_for_the_last_places_settle_the_same_in_any_merge_order(
        ops in proptest::collection::vec(proptest::collection::vec(place_op(), 0..6), 3)
    ) {
        use linli_records::services::{self, RequestStatus};
        let mut base = base_offer();
        let mut reps = replicas(&mut base, &ops, apply_place_op);
        let merged = merged_in_every_order(&mut reps);
        let places: Vec<_> = merged
            .iter()
            .map(|d| services::places(&TaskBoard::load(d).unwrap(), &sid()))
            .collect();
        for p in &places[1..] {
            prop_assert_eq!(p, &places[0]);
        }
        let holding = places[0]
            .iter()
            .filter(|(_, s)| matches!(s, RequestStatus::Waiting | RequestStatus::Accepted { .. }))
            .count();
        prop_assert!(holding <= 2);
        // Once one is full, none after it holds a place.
        let first_full = places[0].iter().position(|(_, s)| *s == RequestStatus::Full);
        if let Some(i) = first_full {
            prop_assert!(places[0][i..].iter().all(|(_, s)| matches!(s, RequestStatus::Full | RequestStatus::Declined)));
        }
    }
}
