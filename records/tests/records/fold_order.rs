//! The fold depends on the set of events only: shuffling or duplicating
//! them never changes the result.

use linli_records::ids::{PersonId, TaskId};
use linli_records::task_event::{EventKind, TaskEvent};
use linli_records::task_fold::fold;
use proptest::prelude::*;

fn event() -> impl Strategy<Value = TaskEvent> {
    (0i64..20, 0u8..4, 0u8..7, 0u8..7).prop_map(|(at, who, kind, stars)| {
        let kind = match kind {
            0 => EventKind::Created,
            1 => EventKind::Claimed,
            2 => EventKind::Started,
            3 => EventKind::Done,
            4 => EventKind::Rated {
                stars,
                feedback: String::new(),
            },
            5 => EventKind::Cancelled,
            _ => EventKind::Unknown {
                name: "paused".into(),
            },
        };
        TaskEvent::new(
            &TaskId::new("t").unwrap(),
            at,
            PersonId::new(format!("p{who}")).unwrap(),
            kind,
            "",
        )
    })
}

proptest! {
    #[test]
    fn fold_ignores_order_and_duplicates(
        (events, shuffled) in proptest::collection::vec(event(), 0..16)
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
        dup in 0usize..16,
    ) {
        let expected = fold(&events);
        prop_assert_eq!(fold(&shuffled), expected.clone());
        let mut doubled = shuffled.clone();
        if let Some(e) = shuffled.get(dup % shuffled.len().max(1)) {
            doubled.push(e.clone());
        }
        prop_assert_eq!(fold(&doubled), expected.clone());
        // Each distinct event is reported at most once.
        let mut ignored: Vec<_> = expected.ignored.iter().map(|i| i.event.clone()).collect();
        ignored.sort();
        let reported = ignored.len();
        ignored.dedup();
        prop_assert_eq!(ignored.len(), reported);
        prop_assert!(ignored.iter().all(|id| events.iter().any(|e| e.id == *id)));
    }
}
