//! A building head's and a volunteer's edits on the phone, through the
//! same fake relay: filters, households and residents, asking for help,
//! an offline claim race, and settling a conflict.

use linli_records::building::{HouseholdFields, Member};
use linli_records::conflicts::Resolution;
use linli_records::task_fold::TaskStatus;
use linli_records::vocab::Relation;

use super::{NOW, Stored, connect, phone, phone_of, street};
use crate::{HelpRequest, Progress, view};

const HH: &str = "c01-b001-h0001";
const DAY: i64 = 86_400_000;

fn help(title: &str) -> HelpRequest {
    HelpRequest {
        kind: "errand".into(),
        title: title.into(),
        detail: String::new(),
        deadline: None,
    }
}

#[test]
fn households_filter_by_tag_and_by_days_since_the_last_visit() {
    let (mut relay, directory, _) = street();
    let mut device = phone(directory);
    let mut stored = Stored::default();
    connect(&mut device, &mut relay, &mut stored);
    let building = view::buildings(&device)[0].id.clone();
    let tagged = HouseholdFields {
        unit: "1".into(),
        floor: Some(1),
        room: "101".into(),
        tags: ["elderly-alone".to_owned()].into(),
        notes: String::new(),
    };
    let (id, e) = device
        .save_household(&building, Some(HH), tagged, NOW)
        .unwrap();
    stored.apply(&e);
    assert_eq!(id, HH);
    let (new_id, e) = device
        .save_household(
            &building,
            None,
            HouseholdFields {
                unit: "1".into(),
                floor: Some(2),
                room: "201".into(),
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    stored.apply(&e);
    let by_tag = |tag: &str| view::HouseholdFilter {
        tag: Some(tag.into()),
        ..Default::default()
    };
    let lines = view::households(&device, &building, &by_tag("elderly-alone"), NOW);
    assert_eq!(
        lines.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        [HH]
    );
    assert_eq!(view::buildings(&device)[0].tags, ["elderly-alone"]);

    device.log_visit(HH, "", NOW - 40 * DAY).unwrap();
    let stale = |days| view::HouseholdFilter {
        not_visited_days: Some(days),
        ..Default::default()
    };
    let ids = |f| {
        view::households(&device, &building, &f, NOW)
            .into_iter()
            .map(|l| l.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(stale(30)),
        [HH.to_owned(), new_id.clone()],
        "never visited counts too"
    );
    assert_eq!(ids(stale(60)), [new_id]);
    // Adding the same address twice is refused, and changes nothing.
    let before = view::status(&device).pending;
    let again = HouseholdFields {
        unit: "1".into(),
        floor: Some(2),
        room: "201".into(),
        ..Default::default()
    };
    assert!(device.save_household(&building, None, again, NOW).is_err());
    assert_eq!(view::status(&device).pending, before);
}

#[test]
fn a_resident_is_added_and_edited_and_a_blank_name_is_refused() {
    let (mut relay, directory, _) = street();
    let mut device = phone(directory);
    let mut stored = Stored::default();
    connect(&mut device, &mut relay, &mut stored);
    let member = Member {
        name: " 牟小红 ".into(),
        gender: None,
        birth_year: 1980,
        phone: Some("139-0000-0000".into()),
        relation: Relation::Child,
        tags: Default::default(),
        note: String::new(),
    };
    let (mid, _) = device.save_member(HH, None, member.clone(), NOW).unwrap();
    let page = view::household(&device, HH).unwrap();
    assert!(
        page.members
            .iter()
            .any(|m| m.id == mid && m.name == "牟小红")
    );
    let edited = Member {
        phone: Some("138-1111-2222".into()),
        ..member.clone()
    };
    device.save_member(HH, Some(&mid), edited, NOW).unwrap();
    let page = view::household(&device, HH).unwrap();
    let m = page.members.iter().find(|m| m.id == mid).unwrap();
    assert_eq!(m.phone.as_deref(), Some("138-1111-2222"));
    let blank = Member {
        name: "  ".into(),
        ..member
    };
    assert!(device.save_member(HH, None, blank, NOW).is_err());
}

#[test]
fn asking_for_help_raises_a_need_with_the_building_and_household_filled_in() {
    let (mut relay, directory, _) = street();
    let mut head = phone(directory);
    let mut stored = Stored::default();
    connect(&mut head, &mut relay, &mut stored);
    let (task, effects) = head
        .ask_for_help(HH, help("代买降压药"), 0xabcd, NOW)
        .unwrap();
    assert_eq!(task, "t-0000abcd");
    assert!(
        !effects.frames.is_empty(),
        "online: offered to the relay at once"
    );
    super::pump(&mut head, &mut relay, &mut stored, effects.frames);
    assert_eq!(view::status(&head).pending, 0);
    let page = view::household(&head, HH).unwrap();
    assert_eq!(page.tasks[0].id, task);

    // A volunteer's phone sees it on the board, open, in the right building.
    let mut volunteer = phone_of(directory, "v00007", 8);
    let mut vs = Stored::default();
    connect(&mut volunteer, &mut relay, &mut vs);
    let lines = view::tasks(&volunteer, NOW);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].title, "代买降压药");
    assert_eq!(lines[0].building, "1栋");
    assert_eq!(lines[0].status, TaskStatus::Open);
    let page = view::task(&volunteer, &task, NOW).unwrap();
    assert_eq!(page.household.as_deref(), Some(HH));
    assert_eq!(page.can, ["claim"]);

    assert!(
        head.ask_for_help(HH, help("  "), 1, NOW).is_err(),
        "a need says what"
    );
}

#[test]
fn two_offline_claims_settle_on_one_assignee_on_both_phones_and_the_loser_is_told() {
    let (mut relay, directory, _) = street();
    let mut head = phone(directory);
    let mut hs = Stored::default();
    connect(&mut head, &mut relay, &mut hs);
    let (task, e) = head.ask_for_help(HH, help("修水管"), 7, NOW).unwrap();
    super::pump(&mut head, &mut relay, &mut hs, e.frames);

    let mut a = phone_of(directory, "v00001", 11);
    let mut b = phone_of(directory, "v00002", 12);
    let (mut sa, mut sb) = (Stored::default(), Stored::default());
    connect(&mut a, &mut relay, &mut sa);
    connect(&mut b, &mut relay, &mut sb);
    a.disconnected();
    b.disconnected();
    // b claims later by the clock, but comes online first.
    sb.apply(&b.progress(&task, Progress::Claim, "", NOW + 2_000).unwrap());
    sa.apply(&a.progress(&task, Progress::Claim, "", NOW + 1_000).unwrap());
    assert!(
        view::task(&b, &task, NOW).unwrap().line.mine,
        "offline, b thinks it is hers"
    );
    connect(&mut b, &mut relay, &mut sb);
    connect(&mut a, &mut relay, &mut sa);
    connect(&mut b, &mut relay, &mut sb);

    let on_a = view::task(&a, &task, NOW).unwrap();
    let on_b = view::task(&b, &task, NOW).unwrap();
    assert_eq!(on_a.line.assignee.as_deref(), Some("v00001"));
    assert_eq!(
        on_b.line.assignee, on_a.line.assignee,
        "the same on both phones"
    );
    assert!(on_a.line.mine && on_a.line.lost_to.is_none());
    assert_eq!(on_b.line.lost_to.as_deref(), Some("v00001"));
    assert!(on_b.can.is_empty(), "the loser cannot start it");
    assert_eq!(on_a.can, ["start", "done", "hours"]);
    assert!(
        on_b.events
            .iter()
            .any(|e| e.ignored.as_deref() == Some("claim-lost"))
    );
}

#[test]
fn a_field_two_people_changed_offline_is_listed_with_authors_and_settled() {
    let (mut relay, directory, _) = street();
    let mut wang = phone(directory);
    let mut zhao = phone_of(directory, "grid-zhao", 13);
    let (mut sw, mut sz) = (Stored::default(), Stored::default());
    connect(&mut wang, &mut relay, &mut sw);
    connect(&mut zhao, &mut relay, &mut sz);
    wang.disconnected();
    zhao.disconnected();
    let page = view::household(&wang, HH).unwrap();
    let m = &page.members[0];
    let member = |phone: &str| Member {
        name: m.name.clone(),
        gender: None,
        birth_year: m.birth_year,
        phone: Some(phone.into()),
        relation: Relation::Head,
        tags: Default::default(),
        note: String::new(),
    };
    sw.apply(
        &wang
            .save_member(HH, Some(&m.id), member("131-1111-1111"), NOW)
            .unwrap()
            .1,
    );
    sz.apply(
        &zhao
            .save_member(HH, Some(&m.id), member("132-2222-2222"), NOW + 5_000)
            .unwrap()
            .1,
    );
    connect(&mut wang, &mut relay, &mut sw);
    connect(&mut zhao, &mut relay, &mut sz);
    connect(&mut wang, &mut relay, &mut sw);

    let conflicts = view::conflicts(&wang);
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let c = &conflicts[0];
    assert_eq!(c.path.last().map(String::as_str), Some("phone"));
    assert_eq!(c.place.as_deref(), Some("1栋 1-101 牟杰永"));
    let mut authors: Vec<_> = c.values.iter().filter_map(|v| v.author.clone()).collect();
    authors.sort();
    assert_eq!(authors, ["grid-zhao", "head-wang"]);
    assert_eq!(view::status(&wang).conflicts, 1);

    let doc = crate::parse_doc(&c.doc).unwrap();
    let effects = wang
        .resolve(
            doc,
            &c.path,
            &Resolution::Write("133-3333-3333".into()),
            NOW + 9_000,
        )
        .unwrap();
    sw.apply(&effects);
    assert!(view::conflicts(&wang).is_empty());
    let page = view::household(&wang, HH).unwrap();
    assert_eq!(page.members[0].phone.as_deref(), Some("133-3333-3333"));
}
