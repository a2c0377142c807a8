//! Documents written before the services list, notices and areas existed
//! keep working: they load with none, take the new records, and two
//! devices adding the first of a kind offline both keep theirs (each
//! creates the map; readers read every copy).

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT};
use linli_records::directory::{self, Area, Directory};
use linli_records::ids::{
    AreaId, BuildingId, CommunityId, CompoundId, NoticeId, PersonId, ServiceId, TeamId,
};
use linli_records::notices::{self, Notice};
use linli_records::services::{self, Cost, Service};
use linli_records::task_board::TaskBoard;

/// A task board as linli wrote it before services and notices: no
/// `services`, `requests` or `notices` map.
fn old_board() -> AutoCommit {
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "kind", "linli/task-board").unwrap();
    doc.put(ROOT, "schema", 1_i64).unwrap();
    doc.put(ROOT, "id", "tb-old").unwrap();
    doc.put(ROOT, "community", "c1").unwrap();
    doc.put(ROOT, "period", "2025-06").unwrap();
    doc.put_object(ROOT, "tasks", ObjType::Map).unwrap();
    doc.put_object(ROOT, "hours", ObjType::Map).unwrap();
    doc.commit();
    doc
}

fn service(title: &str) -> Service {
    Service {
        provider: TeamId::new("t1").unwrap(),
        kind: "meal-help".into(),
        title: title.into(),
        detail: String::new(),
        when: String::new(),
        capacity: 3,
        cost: Cost::LowCost,
        by: PersonId::new("leader").unwrap(),
        at: 1,
    }
}

#[test]
fn an_old_board_loads_empty_and_two_first_services_made_offline_both_survive() {
    let mut doc = old_board();
    let board = TaskBoard::load(&doc).unwrap();
    assert!(board.services.is_empty() && board.requests.is_empty() && board.notices.is_empty());
    let mut a = doc.fork();
    let mut b = doc.fork();
    services::publish(&mut a, &ServiceId::new("s-a").unwrap(), &service("助餐")).unwrap();
    services::publish(&mut b, &ServiceId::new("s-b").unwrap(), &service("助浴")).unwrap();
    let notice = Notice {
        title: "通知".into(),
        body: String::new(),
        by: PersonId::new("office").unwrap(),
        at: 1,
        deadline: None,
        compounds: Default::default(),
        buildings: Default::default(),
        reads: Default::default(),
    };
    notices::publish(&mut a, &NoticeId::new("n-a").unwrap(), &notice).unwrap();
    notices::publish(&mut b, &NoticeId::new("n-b").unwrap(), &notice).unwrap();
    a.merge(&mut b).unwrap();
    doc.merge(&mut a).unwrap();
    let board = TaskBoard::load(&doc).unwrap();
    assert_eq!(board.services.len(), 2);
    assert_eq!(board.notices.len(), 2);
    // A receipt on the notice whose map lost the visible slot still lands.
    assert!(
        notices::mark_read(
            &mut doc,
            &NoticeId::new("n-b").unwrap(),
            &PersonId::new("head").unwrap(),
            5
        )
        .unwrap()
    );
    let board = TaskBoard::load(&doc).unwrap();
    assert_eq!(board.notices[&NoticeId::new("n-b").unwrap()].reads.len(), 1);
}

#[test]
fn an_old_directory_loads_with_no_areas_and_the_default_target_and_import_keeps_areas() {
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "kind", "linli/directory").unwrap();
    doc.put(ROOT, "schema", 1_i64).unwrap();
    doc.put(ROOT, "street", "东湖街道").unwrap();
    let communities = doc.put_object(ROOT, "communities", ObjType::Map).unwrap();
    let c = doc.put_object(&communities, "c1", ObjType::Map).unwrap();
    doc.put(&c, "name", "东湖社区").unwrap();
    doc.commit();
    let dir = Directory::load(&doc).unwrap();
    assert!(dir.areas.is_empty());
    let c1 = CommunityId::new("c1").unwrap();
    assert_eq!(dir.response_target_ms(&c1), 24 * 3_600_000);

    // The office divides the community into areas; a later import of the
    // same buildings keeps the compound's area.
    let building = linli_records::building::BuildingRef {
        id: BuildingId::derive("东湖社区", "东湖1区", "1栋"),
        community: "东湖社区".into(),
        compound: "东湖1区".into(),
        name: "1栋".into(),
    };
    directory::register_building(&mut doc, &building, None).unwrap();
    let area = AreaId::derive("东湖社区", "东片");
    let community = CommunityId::derive("东湖社区");
    directory::put_area(
        &mut doc,
        &area,
        &Area {
            name: "东片".into(),
            community,
        },
    )
    .unwrap();
    let compound = CompoundId::derive("东湖社区", "东湖1区");
    directory::set_compound_area(&mut doc, &compound, Some(&area)).unwrap();
    directory::register_building(&mut doc, &building, None).unwrap();
    let dir = Directory::load(&doc).unwrap();
    assert_eq!(dir.area_of(&building.id), Some(&area));
}
