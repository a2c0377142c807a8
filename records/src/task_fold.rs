//! The deterministic fold of a task's events into its current state.
//!
//! The events of a task are a list several people append to, offline and
//! concurrently; after merging, their list order depends on automerge's
//! internals. The fold therefore never looks at list positions. It:
//!
//! 1. sorts the events by `(at, by, id)` — writer's timestamp, then person
//!    id, then event id — with the remaining fields as a final tie-break so
//!    the order is total;
//! 2. drops every event whose id was already seen (a retried append);
//! 3. applies the events in that order to a state that starts as
//!    [`TaskStatus::Open`] with no assignee, by these rules:
//!
//! | event | applies when | effect | otherwise |
//! |---|---|---|---|
//! | `created` | first one | none (a task is open from the start) | later ones ignored: `Duplicate` |
//! | `claimed` by V | task open (no assignee, not closed) | V assigned, status `Claimed` | closed: ignored `TaskClosed`; V already assignee: ignored `Duplicate`; someone else assigned: ignored `ClaimLost`, and V is added to `lost_claims` |
//! | `started` by V | V is the assignee, status `Claimed` | status `InProgress` | closed: `TaskClosed`; V not the assignee (or no one is): `NotAssignee`; already started: `Duplicate` |
//! | `done` by V | V is the assignee, status `Claimed` or `InProgress` | status `Done` | closed: `TaskClosed`; V not the assignee: `NotAssignee` |
//! | `rated` (1–5) by anyone | status `Done` | sets the rating; a later rating replaces an earlier one | stars outside 1–5: `BadRating`; not done: `NotDone` |
//! | `cancelled` by anyone | status not `Done` / `Cancelled` | status `Cancelled` (the assignee, if any, is kept for the record) | done: `TaskClosed`; already cancelled: `Duplicate` |
//! | unknown kind | never | none | `UnknownKind` |
//!
//! So two volunteers who claim the same open task offline both end up, on
//! every device, with the one whose claim sorts first (earliest timestamp,
//! ties broken by volunteer id) as assignee; the other finds themselves in
//! [`TaskState::lost_claims`]. Every event that had no effect is listed in
//! [`TaskState::ignored`] with its reason, so a client can tell its user.
//!
//! Timestamps come from the writers' clocks; a device whose clock runs fast
//! wins claim races it should have lost. linli accepts that: the order is
//! the same on every device, which is what makes the result agreeable.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::ids::{EventId, PersonId, VolunteerId};
use crate::task_event::{EventKind, TaskEvent};

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskStatus {
    /// Raised, nobody assigned.
    Open,
    /// A volunteer is assigned.
    Claimed,
    /// The assignee started.
    InProgress,
    /// The assignee finished.
    Done,
    /// Withdrawn.
    Cancelled,
}

impl TaskStatus {
    /// Done or cancelled: nothing but a rating changes it any more.
    pub fn is_closed(self) -> bool {
        matches!(self, TaskStatus::Done | TaskStatus::Cancelled)
    }

    /// The status as written in JSON and CSV, e.g. `in-progress`.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Claimed => "claimed",
            TaskStatus::InProgress => "in-progress",
            TaskStatus::Done => "done",
            TaskStatus::Cancelled => "cancelled",
        }
    }
}

/// A rating given to a done task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    /// 1 to 5.
    pub stars: u8,
    /// The resident's words.
    pub feedback: String,
    /// Who recorded it.
    pub by: PersonId,
    /// When, ms since the epoch.
    pub at: i64,
}

/// Why an event had no effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "reason")]
pub enum IgnoreReason {
    /// The task was already done or cancelled.
    TaskClosed,
    /// Another volunteer's claim came first.
    ClaimLost {
        /// Who holds the task.
        assignee: VolunteerId,
    },
    /// `started`/`done` by someone who is not the assignee.
    NotAssignee,
    /// `rated` before the task was done (or after it was cancelled).
    NotDone,
    /// `rated` with stars outside 1–5.
    BadRating,
    /// The event repeats what already happened.
    Duplicate,
    /// An event kind this linli does not know.
    UnknownKind,
}

/// An event the fold did not apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IgnoredEvent {
    /// The event's id.
    pub event: EventId,
    /// Its kind word.
    pub kind: String,
    /// Who wrote it.
    pub by: PersonId,
    /// Its timestamp.
    pub at: i64,
    /// Why it had no effect.
    pub reason: IgnoreReason,
}

/// What a volunteer's claim came to; see [`TaskState::claim_outcome`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum ClaimOutcome {
    /// The volunteer holds the task.
    Assigned,
    /// Another volunteer's claim came first.
    Lost {
        /// Who holds the task.
        assignee: VolunteerId,
    },
    /// The claim came after the task was done or cancelled.
    TooLate,
    /// The volunteer never claimed the task.
    NotClaimed,
}

/// A task's state after folding its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskState {
    /// Where the task stands.
    pub status: TaskStatus,
    /// The volunteer holding (or who held) the task.
    pub assignee: Option<VolunteerId>,
    /// When the winning claim was made.
    pub claimed_at: Option<i64>,
    /// When the assignee started.
    pub started_at: Option<i64>,
    /// When the task was done.
    pub done_at: Option<i64>,
    /// When the task was cancelled.
    pub cancelled_at: Option<i64>,
    /// The rating that counts (the last valid one).
    pub rating: Option<Rating>,
    /// Volunteers whose claim lost to the assignee's, each once, in the
    /// order of their first losing claim.
    pub lost_claims: Vec<VolunteerId>,
    /// Every event that had no effect, in fold order.
    pub ignored: Vec<IgnoredEvent>,
}

impl TaskState {
    /// What `volunteer`'s claim came to, for telling them.
    pub fn claim_outcome(&self, volunteer: &VolunteerId) -> ClaimOutcome {
        if self.assignee.as_ref() == Some(volunteer) {
            return ClaimOutcome::Assigned;
        }
        if self.lost_claims.contains(volunteer)
            && let Some(assignee) = &self.assignee
        {
            return ClaimOutcome::Lost {
                assignee: assignee.clone(),
            };
        }
        let too_late = self.ignored.iter().any(|i| {
            i.kind == "claimed"
                && i.by.as_str() == volunteer.as_str()
                && i.reason == IgnoreReason::TaskClosed
        });
        if too_late {
            ClaimOutcome::TooLate
        } else {
            ClaimOutcome::NotClaimed
        }
    }
}

/// Folds `events` (in any order, duplicates allowed) into the task's state.
/// The result depends only on the set of events.
pub fn fold(events: &[TaskEvent]) -> TaskState {
    let mut sorted: Vec<&TaskEvent> = events.iter().collect();
    sorted.sort();
    let mut seen: BTreeSet<&EventId> = BTreeSet::new();
    let mut state = TaskState {
        status: TaskStatus::Open,
        assignee: None,
        claimed_at: None,
        started_at: None,
        done_at: None,
        cancelled_at: None,
        rating: None,
        lost_claims: Vec::new(),
        ignored: Vec::new(),
    };
    let mut created = false;
    for event in sorted {
        if !seen.insert(&event.id) {
            continue;
        }
        if let Err(reason) = apply(&mut state, &mut created, event) {
            state.ignored.push(IgnoredEvent {
                event: event.id.clone(),
                kind: event.kind.name().to_owned(),
                by: event.by.clone(),
                at: event.at,
                reason,
            });
        }
    }
    state
}

fn apply(state: &mut TaskState, created: &mut bool, event: &TaskEvent) -> Result<(), IgnoreReason> {
    let by = VolunteerId::from(&event.by);
    let is_assignee = state.assignee.as_ref() == Some(&by);
    match &event.kind {
        EventKind::Created => {
            if std::mem::replace(created, true) {
                return Err(IgnoreReason::Duplicate);
            }
        }
        EventKind::Claimed => {
            if state.status.is_closed() {
                return Err(IgnoreReason::TaskClosed);
            }
            match &state.assignee {
                None => {
                    state.assignee = Some(by);
                    state.status = TaskStatus::Claimed;
                    state.claimed_at = Some(event.at);
                }
                Some(_) if is_assignee => return Err(IgnoreReason::Duplicate),
                Some(assignee) => {
                    let assignee = assignee.clone();
                    if !state.lost_claims.contains(&by) {
                        state.lost_claims.push(by);
                    }
                    return Err(IgnoreReason::ClaimLost { assignee });
                }
            }
        }
        EventKind::Started => {
            if state.status.is_closed() {
                return Err(IgnoreReason::TaskClosed);
            }
            if !is_assignee {
                return Err(IgnoreReason::NotAssignee);
            }
            if state.status == TaskStatus::InProgress {
                return Err(IgnoreReason::Duplicate);
            }
            state.status = TaskStatus::InProgress;
            state.started_at = Some(event.at);
        }
        EventKind::Done => {
            if state.status.is_closed() {
                return Err(IgnoreReason::TaskClosed);
            }
            if !is_assignee {
                return Err(IgnoreReason::NotAssignee);
            }
            state.status = TaskStatus::Done;
            state.done_at = Some(event.at);
        }
        EventKind::Rated { stars, feedback } => {
            if !(1..=5).contains(stars) {
                return Err(IgnoreReason::BadRating);
            }
            if state.status != TaskStatus::Done {
                return Err(IgnoreReason::NotDone);
            }
            state.rating = Some(Rating {
                stars: *stars,
                feedback: feedback.clone(),
                by: event.by.clone(),
                at: event.at,
            });
        }
        EventKind::Cancelled => match state.status {
            TaskStatus::Done => return Err(IgnoreReason::TaskClosed),
            TaskStatus::Cancelled => return Err(IgnoreReason::Duplicate),
            _ => {
                state.status = TaskStatus::Cancelled;
                state.cancelled_at = Some(event.at);
            }
        },
        EventKind::Unknown { .. } => return Err(IgnoreReason::UnknownKind),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TaskId;

    fn ev(at: i64, by: &str, kind: EventKind) -> TaskEvent {
        TaskEvent::new(
            &TaskId::new("t1").unwrap(),
            at,
            PersonId::new(by).unwrap(),
            kind,
            "",
        )
    }

    fn v(s: &str) -> VolunteerId {
        VolunteerId::new(s).unwrap()
    }

    fn reasons(state: &TaskState) -> Vec<(String, IgnoreReason)> {
        state
            .ignored
            .iter()
            .map(|i| (format!("{}:{}", i.kind, i.by), i.reason.clone()))
            .collect()
    }

    #[test]
    fn new_task_is_open() {
        let s = fold(&[ev(0, "head", EventKind::Created)]);
        assert_eq!(s.status, TaskStatus::Open);
        assert_eq!(s.assignee, None);
        assert!(s.ignored.is_empty());
    }

    #[test]
    fn full_life_claim_start_done_rate() {
        let s = fold(&[
            ev(0, "head", EventKind::Created),
            ev(10, "v1", EventKind::Claimed),
            ev(20, "v1", EventKind::Started),
            ev(30, "v1", EventKind::Done),
            ev(
                40,
                "head",
                EventKind::Rated {
                    stars: 5,
                    feedback: "好".into(),
                },
            ),
        ]);
        assert_eq!(s.status, TaskStatus::Done);
        assert_eq!(s.assignee, Some(v("v1")));
        assert_eq!(
            (s.claimed_at, s.started_at, s.done_at),
            (Some(10), Some(20), Some(30))
        );
        assert_eq!(s.rating.as_ref().map(|r| r.stars), Some(5));
        assert!(s.ignored.is_empty());
    }

    #[test]
    fn earliest_claim_wins_and_the_loser_is_told() {
        let events = [
            ev(0, "head", EventKind::Created),
            ev(12, "v1", EventKind::Claimed),
            ev(11, "v2", EventKind::Claimed),
        ];
        let s = fold(&events);
        assert_eq!(s.assignee, Some(v("v2")));
        assert_eq!(s.lost_claims, vec![v("v1")]);
        assert_eq!(
            s.claim_outcome(&v("v1")),
            ClaimOutcome::Lost { assignee: v("v2") }
        );
        assert_eq!(s.claim_outcome(&v("v2")), ClaimOutcome::Assigned);
        assert_eq!(s.claim_outcome(&v("v3")), ClaimOutcome::NotClaimed);
    }

    #[test]
    fn simultaneous_claims_go_to_the_smaller_volunteer_id() {
        let s = fold(&[
            ev(10, "v9", EventKind::Claimed),
            ev(10, "v10", EventKind::Claimed),
        ]);
        // "v10" < "v9" as text: ids compare as strings.
        assert_eq!(s.assignee, Some(v("v10")));
        assert_eq!(s.lost_claims, vec![v("v9")]);
    }

    #[test]
    fn claim_after_done_or_cancel_is_ignored_as_too_late() {
        let s = fold(&[
            ev(10, "v1", EventKind::Claimed),
            ev(20, "v1", EventKind::Done),
            ev(30, "v2", EventKind::Claimed),
        ]);
        assert_eq!(s.assignee, Some(v("v1")));
        assert!(s.lost_claims.is_empty());
        assert_eq!(
            reasons(&s),
            [("claimed:v2".to_owned(), IgnoreReason::TaskClosed)]
        );
        assert_eq!(s.claim_outcome(&v("v2")), ClaimOutcome::TooLate);

        let s = fold(&[
            ev(10, "head", EventKind::Cancelled),
            ev(20, "v2", EventKind::Claimed),
        ]);
        assert_eq!(s.status, TaskStatus::Cancelled);
        assert_eq!(s.assignee, None);
        assert_eq!(s.claim_outcome(&v("v2")), ClaimOutcome::TooLate);
    }

    #[test]
    fn start_or_done_by_a_non_assignee_is_ignored_and_reported() {
        let s = fold(&[
            ev(10, "v1", EventKind::Claimed),
            ev(11, "v2", EventKind::Claimed),
            ev(12, "v2", EventKind::Started),
            ev(13, "v2", EventKind::Done),
        ]);
        assert_eq!(s.status, TaskStatus::Claimed);
        assert_eq!(s.assignee, Some(v("v1")));
        assert_eq!(
            reasons(&s),
            [
                (
                    "claimed:v2".to_owned(),
                    IgnoreReason::ClaimLost { assignee: v("v1") }
                ),
                ("started:v2".to_owned(), IgnoreReason::NotAssignee),
                ("done:v2".to_owned(), IgnoreReason::NotAssignee),
            ]
        );
    }

    #[test]
    fn done_without_any_claim_is_ignored() {
        let s = fold(&[ev(10, "v1", EventKind::Done)]);
        assert_eq!(s.status, TaskStatus::Open);
        assert_eq!(
            reasons(&s),
            [("done:v1".to_owned(), IgnoreReason::NotAssignee)]
        );
    }

    #[test]
    fn done_straight_after_claim_skips_started() {
        let s = fold(&[
            ev(10, "v1", EventKind::Claimed),
            ev(20, "v1", EventKind::Done),
        ]);
        assert_eq!(s.status, TaskStatus::Done);
        assert_eq!(s.started_at, None);
    }

    #[test]
    fn rating_needs_done_and_one_to_five_stars_and_the_last_counts() {
        let s = fold(&[
            ev(
                5,
                "head",
                EventKind::Rated {
                    stars: 4,
                    feedback: String::new(),
                },
            ),
            ev(10, "v1", EventKind::Claimed),
            ev(20, "v1", EventKind::Done),
            ev(
                30,
                "head",
                EventKind::Rated {
                    stars: 0,
                    feedback: String::new(),
                },
            ),
            ev(
                31,
                "head",
                EventKind::Rated {
                    stars: 3,
                    feedback: "慢".into(),
                },
            ),
            ev(
                32,
                "head",
                EventKind::Rated {
                    stars: 5,
                    feedback: "改好了".into(),
                },
            ),
        ]);
        assert_eq!(
            s.rating.as_ref().map(|r| (r.stars, r.feedback.as_str())),
            Some((5, "改好了"))
        );
        assert_eq!(
            reasons(&s),
            [
                ("rated:head".to_owned(), IgnoreReason::NotDone),
                ("rated:head".to_owned(), IgnoreReason::BadRating),
            ]
        );
    }

    #[test]
    fn cancel_after_done_is_ignored_and_done_after_cancel_too() {
        let s = fold(&[
            ev(10, "v1", EventKind::Claimed),
            ev(20, "v1", EventKind::Done),
            ev(30, "head", EventKind::Cancelled),
        ]);
        assert_eq!(s.status, TaskStatus::Done);
        assert_eq!(
            reasons(&s),
            [("cancelled:head".to_owned(), IgnoreReason::TaskClosed)]
        );

        let s = fold(&[
            ev(10, "v1", EventKind::Claimed),
            ev(20, "head", EventKind::Cancelled),
            ev(30, "v1", EventKind::Done),
        ]);
        assert_eq!(s.status, TaskStatus::Cancelled);
        assert_eq!(s.assignee, Some(v("v1")));
        assert_eq!(s.cancelled_at, Some(20));
        assert_eq!(
            reasons(&s),
            [("done:v1".to_owned(), IgnoreReason::TaskClosed)]
        );
    }

    #[test]
    fn duplicate_event_ids_apply_once_and_are_not_reported() {
        let claim = ev(10, "v1", EventKind::Claimed);
        let s = fold(&[claim.clone(), claim.clone(), claim]);
        assert_eq!(s.assignee, Some(v("v1")));
        assert!(s.ignored.is_empty());
    }

    #[test]
    fn repeated_claims_by_the_assignee_are_duplicates() {
        let s = fold(&[
            ev(10, "v1", EventKind::Claimed),
            ev(11, "v1", EventKind::Claimed),
        ]);
        assert_eq!(
            reasons(&s),
            [("claimed:v1".to_owned(), IgnoreReason::Duplicate)]
        );
    }

    #[test]
    fn unknown_kinds_are_ignored_and_reported() {
        let s = fold(&[ev(
            10,
            "v1",
            EventKind::Unknown {
                name: "paused".into(),
            },
        )]);
        assert_eq!(
            reasons(&s),
            [("paused:v1".to_owned(), IgnoreReason::UnknownKind)]
        );
    }

    #[test]
    fn order_of_input_does_not_matter() {
        let events = vec![
            ev(0, "head", EventKind::Created),
            ev(10, "v2", EventKind::Claimed),
            ev(10, "v1", EventKind::Claimed),
            ev(15, "v2", EventKind::Started),
            ev(20, "v1", EventKind::Done),
            ev(
                25,
                "head",
                EventKind::Rated {
                    stars: 4,
                    feedback: String::new(),
                },
            ),
        ];
        let expected = fold(&events);
        let mut reversed = events.clone();
        reversed.reverse();
        assert_eq!(fold(&reversed), expected);
        let mut rotated = events;
        rotated.rotate_left(3);
        assert_eq!(fold(&rotated), expected);
        assert_eq!(expected.assignee, Some(v("v1")));
        assert_eq!(expected.status, TaskStatus::Done);
    }
}
