use automerge::AutoCommit;

use super::*;
use crate::directory;
use crate::ids::CommunityId;
use crate::task_board::{self, TaskBoard, TaskBoardRef};

fn p(s: &str) -> PersonId {
    PersonId::new(s).unwrap()
}

fn notice(compounds: &[&str], buildings: &[&str]) -> Notice {
    Notice {
        title: "停水通知".into(),
        body: "周三9点到17点停水".into(),
        by: p("office"),
        at: 1_000,
        deadline: None,
        compounds: compounds
            .iter()
            .map(|c| CompoundId::new(*c).unwrap())
            .collect(),
        buildings: buildings
            .iter()
            .map(|b| BuildingId::new(*b).unwrap())
            .collect(),
        reads: BTreeMap::new(),
    }
}

fn street() -> Directory {
    let mut doc = AutoCommit::new();
    directory::init(&mut doc, "街道").unwrap();
    for (community, compound, building) in [("社区", "一区", "1栋"), ("社区", "二区", "2栋")]
    {
        let b = crate::building::BuildingRef {
            id: BuildingId::derive(community, compound, building),
            community: community.into(),
            compound: compound.into(),
            name: building.into(),
        };
        directory::register_building(&mut doc, &b, None).unwrap();
    }
    Directory::load(&doc).unwrap()
}

#[test]
fn read_receipts_made_offline_both_arrive_and_the_unread_list_is_exact() {
    let mut doc = AutoCommit::new();
    task_board::init(
        &mut doc,
        &TaskBoardRef {
            community: CommunityId::new("c1").unwrap(),
            period: "2026-11".into(),
        },
    )
    .unwrap();
    let id = NoticeId::new("n1").unwrap();
    publish(&mut doc, &id, &notice(&[], &[])).unwrap();
    doc.commit();
    let mut a = doc.fork();
    let mut b = doc.fork();
    assert!(mark_read(&mut a, &id, &p("head-1"), 2_000).unwrap());
    assert!(mark_read(&mut b, &id, &p("head-2"), 3_000).unwrap());
    // Reading again keeps the first time.
    assert!(!mark_read(&mut b, &id, &p("head-2"), 9_000).unwrap());
    a.merge(&mut b).unwrap();
    let n = &TaskBoard::load(&a).unwrap().notices[&id];
    assert_eq!(n.reads.get(&p("head-1")), Some(&2_000));
    assert_eq!(n.reads.get(&p("head-2")), Some(&3_000));
    let dir = street();
    let b1 = BuildingId::derive("社区", "一区", "1栋");
    let readers = vec![
        (p("head-1"), vec![b1.clone()]),
        (p("head-2"), vec![b1.clone()]),
        (p("head-3"), vec![b1]),
    ];
    assert_eq!(unread(n, &readers, &dir), vec![&p("head-3")]);
}

#[test]
fn the_audience_narrows_by_compound_and_building() {
    let dir = street();
    let b1 = BuildingId::derive("社区", "一区", "1栋");
    let b2 = BuildingId::derive("社区", "二区", "2栋");
    let k1 = CompoundId::derive("社区", "一区");
    let everyone = notice(&[], &[]);
    assert!(everyone.is_for(&b1, &dir) && everyone.is_for(&b2, &dir));
    let compound = notice(&[k1.as_str()], &[]);
    assert!(compound.is_for(&b1, &dir) && !compound.is_for(&b2, &dir));
    let building = notice(&[], &[b2.as_str()]);
    assert!(!building.is_for(&b1, &dir) && building.is_for(&b2, &dir));
    let readers = vec![(p("head-1"), vec![b1]), (p("head-2"), vec![b2])];
    assert_eq!(unread(&compound, &readers, &dir), vec![&p("head-1")]);
}

#[test]
fn marking_an_unknown_notice_read_is_an_error() {
    let mut doc = AutoCommit::new();
    task_board::init(
        &mut doc,
        &TaskBoardRef {
            community: CommunityId::new("c1").unwrap(),
            period: "p".into(),
        },
    )
    .unwrap();
    let id = NoticeId::new("nope").unwrap();
    assert!(matches!(
        mark_read(&mut doc, &id, &p("head"), 1),
        Err(WriteError::NotFound { .. })
    ));
}
