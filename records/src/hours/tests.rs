use super::*;
use crate::figures::{Period, ResponseTargets, Scope, figures};
use crate::task_board::tests::{board_ref, new_task};
use crate::task_board::{self, TaskBoard};
use crate::team::tests::team_ref;
use crate::team::{self, Team};
use automerge::AutoCommit;
use proptest::prelude::*;

fn p(s: &str) -> PersonId {
    PersonId::new(s).unwrap()
}

fn v(s: &str) -> VolunteerId {
    VolunteerId::new(s).unwrap()
}

/// A board of 东湖社区 with task t1, committed.
fn board() -> AutoCommit {
    let mut doc = AutoCommit::new();
    task_board::init(&mut doc, &board_ref()).unwrap();
    task_board::create_task(&mut doc, &new_task("t1"), &p("head"), 100).unwrap();
    doc.commit();
    doc
}

fn service(volunteer: &str, start: i64, minutes: u32, task: Option<&str>) -> NewHours {
    NewHours {
        volunteer: v(volunteer),
        team: Some(team_ref().id),
        start,
        minutes,
        task: task.map(|t| TaskId::new(t).unwrap()),
        note: String::new(),
    }
}

#[test]
fn a_volunteers_logged_service_reads_back_from_the_board() {
    let mut doc = board();
    let new = service("v00007", 1_000, 45, Some("t1"));
    let id = log_hours(&mut doc, &new, &p("v00007")).unwrap();
    doc.commit();
    let board = TaskBoard::load(&doc).unwrap();
    assert_eq!(
        board.hours[&id],
        HoursEntry {
            volunteer: v("v00007"),
            team: Some(team_ref().id),
            start: 1_000,
            minutes: 45,
            task: Some(TaskId::new("t1").unwrap()),
            note: String::new(),
            by: p("v00007"),
        }
    );
    let listed = all_hours(std::slice::from_ref(&board), &[]);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].place, HoursPlace::Board(board_ref().id()));
    assert_eq!(listed[0].community, Some(board_ref().community));
}

#[test]
fn logging_the_same_service_twice_writes_one_entry_but_two_services_a_day_stay_apart() {
    let mut doc = board();
    let first = service("v00007", 1_000, 45, None);
    log_hours(&mut doc, &first, &p("v00007")).unwrap();
    doc.commit();
    log_hours(&mut doc, &first, &p("v00007")).unwrap();
    assert!(doc.commit().is_none(), "a retried log changes nothing");
    let second = service("v00007", 1_000, 30, None);
    log_hours(&mut doc, &second, &p("v00007")).unwrap();
    doc.commit();
    assert_eq!(TaskBoard::load(&doc).unwrap().hours.len(), 2);
}

#[test]
fn minutes_outside_one_to_a_day_and_tasks_on_other_boards_are_refused() {
    let mut doc = board();
    for minutes in [0, MAX_MINUTES + 1] {
        assert!(matches!(
            log_hours(&mut doc, &service("v1", 0, minutes, None), &p("v1")),
            Err(HoursError::BadMinutes(m)) if m == minutes
        ));
    }
    assert!(matches!(
        log_hours(
            &mut doc,
            &service("v1", 0, 30, Some("t-elsewhere")),
            &p("v1")
        ),
        Err(HoursError::Write(e)) if matches!(*e, WriteError::NotFound { .. })
    ));
    doc.commit();
    assert!(TaskBoard::load(&doc).unwrap().hours.is_empty());
}

#[test]
fn a_volunteer_removes_their_own_entry_but_not_someone_elses() {
    let mut doc = board();
    let mine = log_hours(&mut doc, &service("v1", 0, 30, None), &p("v1")).unwrap();
    let theirs = log_hours(&mut doc, &service("v2", 0, 60, None), &p("v2")).unwrap();
    // A leader logs for v3; either of them may undo it.
    let for_v3 = log_hours(&mut doc, &service("v3", 0, 90, None), &p("leader")).unwrap();
    doc.commit();
    let refused = remove_hours(&mut doc, &theirs, &p("v1")).unwrap_err();
    assert!(
        matches!(&refused, HoursError::NotYours { volunteer, .. } if *volunteer == v("v2")),
        "{refused}"
    );
    assert_eq!(remove_hours(&mut doc, &mine, &p("v1")).unwrap().minutes, 30);
    assert_eq!(
        remove_hours(&mut doc, &for_v3, &p("leader"))
            .unwrap()
            .minutes,
        90
    );
    assert!(matches!(
        remove_hours(&mut doc, &mine, &p("v1")),
        Err(HoursError::Write(e)) if matches!(*e, WriteError::NotFound { .. })
    ));
    doc.commit();
    let left: Vec<_> = TaskBoard::load(&doc).unwrap().hours.into_keys().collect();
    assert_eq!(left, vec![theirs]);
}

#[test]
fn hours_in_old_team_documents_are_listed_and_counted_beside_the_boards() {
    let mut t = AutoCommit::new();
    team::init(&mut t, &team_ref()).unwrap();
    let old = team::HoursEntry {
        volunteer: v("v1"),
        start: 500,
        minutes: 20,
        community: Some(board_ref().community),
        task: None,
        note: String::new(),
    };
    let old_id = HoursEntryId::derive(&v("v1"), 500);
    team::put_hours(&mut t, &old_id, &old).unwrap();
    t.commit();
    let mut b = board();
    log_hours(&mut b, &service("v1", 600, 40, Some("t1")), &p("v1")).unwrap();
    b.commit();
    let boards = [TaskBoard::load(&b).unwrap()];
    let teams = [Team::load(&t).unwrap()];
    let listed = all_hours(&boards, &teams);
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].start, 600, "newest first");
    assert_eq!(listed[1].place, HoursPlace::Team(team_ref().id));
    let all = Period { from: 0, to: 1_000 };
    for scope in [
        Scope::Community(board_ref().community),
        Scope::Team(team_ref().id),
        Scope::Volunteer(v("v1")),
    ] {
        let f = figures(&boards, &teams, &scope, all, &ResponseTargets::default());
        assert_eq!(f.service_minutes, 60, "{scope:?}");
    }
}

/// A volunteer who left the roster keeps their hours in the team's figures:
/// the entry says which team it was logged for.
#[test]
fn a_team_keeps_the_hours_of_a_volunteer_who_left() {
    let mut t = AutoCommit::new();
    team::init(&mut t, &team_ref()).unwrap();
    t.commit();
    let mut b = board();
    log_hours(&mut b, &service("gone", 10, 30, None), &p("gone")).unwrap();
    let mut untagged = service("v9", 20, 15, None);
    untagged.team = None;
    log_hours(&mut b, &untagged, &p("v9")).unwrap();
    b.commit();
    let boards = [TaskBoard::load(&b).unwrap()];
    let teams = [Team::load(&t).unwrap()];
    let f = figures(
        &boards,
        &teams,
        &Scope::Team(team_ref().id),
        Period { from: 0, to: 100 },
        &ResponseTargets::default(),
    );
    // "gone" was logged for the team; v9 named no team and is on no roster.
    assert_eq!(f.service_minutes, 30);
}

proptest! {
    /// Two volunteers log any services offline on two phones; after both
    /// sync, both phones hold every entry, and the figures count them all.
    #[test]
    fn concurrent_offline_entries_by_two_volunteers_all_survive_the_merge(
        a in prop::collection::vec((0i64..10_000, 1u32..=MAX_MINUTES), 1..8),
        b in prop::collection::vec((0i64..10_000, 1u32..=MAX_MINUTES), 1..8),
    ) {
        let mut base = board();
        let mut phone_a = base.fork();
        let mut phone_b = base.fork();
        let mut expected = BTreeMap::new();
        for (who, phone, services) in [("v1", &mut phone_a, &a), ("v2", &mut phone_b, &b)] {
            for (start, minutes) in services {
                let new = service(who, *start, *minutes, Some("t1"));
                let id = log_hours(phone, &new, &p(who)).unwrap();
                expected.insert(id, u64::from(*minutes));
                phone.commit();
            }
        }
        phone_a.merge(&mut phone_b).unwrap();
        phone_b.merge(&mut phone_a).unwrap();
        let ba = TaskBoard::load(&phone_a).unwrap();
        let bb = TaskBoard::load(&phone_b).unwrap();
        prop_assert_eq!(&ba.hours, &bb.hours);
        let ids: Vec<_> = ba.hours.keys().cloned().collect();
        prop_assert_eq!(ids, expected.keys().cloned().collect::<Vec<_>>());
        let f = figures(
            &[ba],
            &[],
            &Scope::Community(board_ref().community),
            Period { from: 0, to: 10_000 }, &ResponseTargets::default(),
        );
        prop_assert_eq!(f.service_minutes, expected.values().sum::<u64>());
    }
}

/// Boards made before hours moved there have no `hours` map; two phones
/// logging the first hours offline each create one. Both entries survive.
#[test]
fn first_hours_on_an_old_board_from_two_phones_are_both_kept() {
    use automerge::transaction::Transactable as _;
    let mut old = board();
    old.delete(&automerge::ROOT, "hours").unwrap();
    old.commit();
    let mut a = old.fork();
    let mut b = old.fork();
    let ia = log_hours(&mut a, &service("v1", 0, 30, None), &p("v1")).unwrap();
    let ib = log_hours(&mut b, &service("v2", 0, 60, None), &p("v2")).unwrap();
    a.commit();
    b.commit();
    a.merge(&mut b).unwrap();
    let hours = TaskBoard::load(&a).unwrap().hours;
    assert_eq!(hours.len(), 2);
    assert!(hours.contains_key(&ia) && hours.contains_key(&ib));
    // Either volunteer can still remove their own, whichever copy holds it.
    for (id, who) in [(&ia, "v1"), (&ib, "v2")] {
        remove_hours(&mut a, id, &p(who)).unwrap();
    }
    a.commit();
    assert!(TaskBoard::load(&a).unwrap().hours.is_empty());
}
