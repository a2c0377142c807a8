//! Workload and service figures, computed from task boards and team
//! documents alone (no building document, so no personal data is needed).
//!
//! A figure is computed for a [`Scope`] over a half-open [`Period`]
//! `[from, to)` in ms since the epoch. Every task is first folded
//! ([`crate::task_fold::fold`]); then:
//!
//! **Which tasks a scope covers**
//! - `Street`: every task on every board given;
//! - `Community(c)`: tasks on the boards whose community is `c`;
//! - `Team(t)`: tasks whose current assignee is a volunteer listed in team
//!   `t`'s document;
//! - `Volunteer(v)`: tasks whose current assignee is `v`.
//!
//! **The figures**
//! - `tasks_raised`: covered tasks with `created_at` in the period;
//! - `tasks_done`: covered tasks whose status is done and whose `done_at`
//!   is in the period ("done in the period");
//! - `tasks_cancelled`: covered tasks cancelled, with `cancelled_at` in the period;
//! - `completion_rate`: of the tasks raised in the period, the share done
//!   before the period ends (`done_at < to`); `None` when none was raised;
//! - `median_close_ms`: median of `done_at − created_at` (negative values,
//!   from skewed clocks, count as 0) over the tasks done in the period; with
//!   an even count, the mean of the two middle values rounded down; `None`
//!   when none was done; `p90_close_ms`: the 90th percentile of the same
//!   durations, by nearest rank (the `⌈0.9·n⌉`-th smallest);
//! - `median_first_response_ms` / `p90_first_response_ms`: the same two
//!   statistics of `claimed_at − created_at` (the winning claim: the first
//!   time a volunteer took the need on) over the covered tasks whose claim
//!   falls in the period; `responses` counts them;
//! - `within_response_target_share` (接诉即办): of those same responses,
//!   the share whose `claimed_at − created_at` is at most the response
//!   target of the task's community ([`ResponseTargets`]: the directory's
//!   `response_target_hours`, 24 h by default); `None` when there are none;
//! - `services_delivered`: per provider team, the covered tasks done in the
//!   period that an accepted service request made ([`crate::services`]);
//! - `within_deadline_share`: of the tasks done in the period that have a
//!   deadline, the share with `done_at <= deadline`; `None` when there are none;
//! - `average_rating` / `ratings`: mean stars (and count) of the ratings
//!   that count on the tasks done in the period, whenever the rating was
//!   given; `None` when none is rated;
//! - `service_minutes`: sum of `minutes` of the service-hours entries
//!   ([`crate::hours::all_hours`]: those on task boards and those in the
//!   old hours logs of team documents) with `start` in the period that the
//!   scope covers — `Team(t)`: entries logged for team `t` (an old team
//!   entry is for the team whose document holds it), or naming no team but
//!   by a volunteer on `t`'s roster; `Volunteer(v)`: entries of `v`;
//!   `Community(c)`: entries on `c`'s boards, and old entries whose
//!   `community` is `c` or that name no community but a task on one of
//!   `c`'s boards; `Street`: every entry. An entry id found in several
//!   places counts once.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::directory::{DEFAULT_RESPONSE_TARGET_HOURS, Directory};
use crate::hours::all_hours;
use crate::ids::{CommunityId, TaskId, TeamId, VolunteerId};
use crate::task_board::{Task, TaskBoard};
use crate::task_fold::{TaskState, TaskStatus};
use crate::team::Team;

/// A half-open time range `[from, to)`, ms since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// First ms included.
    pub from: i64,
    /// First ms no longer included.
    pub to: i64,
}

impl Period {
    /// Whether `t` falls in the period.
    pub fn contains(&self, t: i64) -> bool {
        self.from <= t && t < self.to
    }
}

/// Whose figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Every board given: the whole street, for the street office.
    Street,
    /// A community's boards.
    Community(CommunityId),
    /// A volunteer team.
    Team(TeamId),
    /// One volunteer.
    Volunteer(VolunteerId),
}

/// The figures for one scope and period; see the module doc for exact
/// definitions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Tasks raised in the period.
    pub tasks_raised: u64,
    /// Tasks done in the period.
    pub tasks_done: u64,
    /// Tasks cancelled in the period.
    pub tasks_cancelled: u64,
    /// Share of the tasks raised in the period that were done before it ended.
    pub completion_rate: Option<f64>,
    /// Median time from raised to done of the tasks done in the period, ms.
    pub median_close_ms: Option<i64>,
    /// 90th percentile of the same, ms.
    pub p90_close_ms: Option<i64>,
    /// How many covered tasks were first claimed in the period.
    pub responses: u64,
    /// Median time from raised to first claim of those tasks, ms.
    pub median_first_response_ms: Option<i64>,
    /// 90th percentile of the same, ms.
    pub p90_first_response_ms: Option<i64>,
    /// Share of those first responses that came within the community's target.
    pub within_response_target_share: Option<f64>,
    /// Tasks made by accepted service requests and done in the period, per
    /// provider.
    pub services_delivered: BTreeMap<TeamId, u64>,
    /// Share of the tasks done in the period (with a deadline) done by the deadline.
    pub within_deadline_share: Option<f64>,
    /// Mean stars of the rated tasks done in the period.
    pub average_rating: Option<f64>,
    /// How many of the tasks done in the period are rated.
    pub ratings: u64,
    /// Minutes of service logged in the period.
    pub service_minutes: u64,
}

impl Figures {
    /// `service_minutes` in hours.
    pub fn service_hours(&self) -> f64 {
        self.service_minutes as f64 / 60.0
    }
}

/// How soon each community means to answer a need, in ms.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResponseTargets {
    by_community: BTreeMap<CommunityId, i64>,
}

impl ResponseTargets {
    /// The targets the directory sets (24 h where it sets none).
    pub fn from_directory(directory: &Directory) -> Self {
        ResponseTargets {
            by_community: directory
                .communities
                .iter()
                .map(|(id, c)| (id.clone(), c.response_target_ms()))
                .collect(),
        }
    }

    /// The target of `community` in ms.
    pub fn of(&self, community: &CommunityId) -> i64 {
        self.by_community
            .get(community)
            .copied()
            .unwrap_or(i64::from(DEFAULT_RESPONSE_TARGET_HOURS) * 3_600_000)
    }
}

/// Computes the figures of `scope` over `period` from `boards` and `teams`
/// (pass every board and team document the caller may read; those outside
/// the scope are skipped), with each community's response target.
pub fn figures(
    boards: &[TaskBoard],
    teams: &[Team],
    scope: &Scope,
    period: Period,
    targets: &ResponseTargets,
) -> Figures {
    let team_members: BTreeSet<&VolunteerId> = match scope {
        Scope::Team(t) => teams
            .iter()
            .filter(|team| team.team.id == *t)
            .flat_map(|team| team.volunteers.keys())
            .collect(),
        _ => BTreeSet::new(),
    };
    let covered: Vec<(&TaskBoard, &TaskId, &Task, TaskState)> = boards
        .iter()
        .filter(|b| match scope {
            Scope::Community(c) => b.board.community == *c,
            _ => true,
        })
        .flat_map(|b| b.tasks.iter().map(move |(id, t)| (b, id, t, t.state())))
        .filter(|(_, _, _, s)| match scope {
            Scope::Street | Scope::Community(_) => true,
            Scope::Team(_) => s
                .assignee
                .as_ref()
                .is_some_and(|a| team_members.contains(a)),
            Scope::Volunteer(v) => s.assignee.as_ref() == Some(v),
        })
        .collect();
    let services_delivered = services_delivered(&covered, period);
    let covered: Vec<(&Task, TaskState, &CommunityId)> = covered
        .into_iter()
        .map(|(b, _, t, s)| (t, s, &b.board.community))
        .collect();

    let raised: Vec<_> = covered
        .iter()
        .filter(|(t, _, _)| period.contains(t.created_at))
        .collect();
    let done: Vec<_> = covered
        .iter()
        .filter(|(_, s, _)| {
            s.status == TaskStatus::Done && s.done_at.is_some_and(|d| period.contains(d))
        })
        .collect();
    let cancelled = covered
        .iter()
        .filter(|(_, s, _)| {
            s.status == TaskStatus::Cancelled && s.cancelled_at.is_some_and(|c| period.contains(c))
        })
        .count();

    let raised_done = raised
        .iter()
        .filter(|(_, s, _)| {
            s.status == TaskStatus::Done && s.done_at.is_some_and(|d| d < period.to)
        })
        .count();
    let completion_rate = share(raised_done, raised.len());

    let mut durations: Vec<i64> = done
        .iter()
        .filter_map(|(t, s, _)| s.done_at.map(|d| d.saturating_sub(t.created_at).max(0)))
        .collect();
    durations.sort_unstable();
    let median_close_ms = median(&durations);
    let p90_close_ms = p90(&durations);

    let timed: Vec<(i64, i64)> = covered
        .iter()
        .filter_map(|(t, s, c)| s.claimed_at.map(|at| (t, at, c)))
        .filter(|(_, at, _)| period.contains(*at))
        .map(|(t, at, c)| (at.saturating_sub(t.created_at).max(0), targets.of(c)))
        .collect();
    let in_time = timed.iter().filter(|(took, target)| took <= target).count();
    let within_response_target_share = share(in_time, timed.len());
    let mut responses: Vec<i64> = timed.iter().map(|(took, _)| *took).collect();
    responses.sort_unstable();

    let with_deadline: Vec<_> = done
        .iter()
        .filter_map(|(t, s, _)| Some((t.deadline?, s.done_at?)))
        .collect();
    let on_time = with_deadline
        .iter()
        .filter(|(deadline, d)| d <= deadline)
        .count();
    let within_deadline_share = share(on_time, with_deadline.len());

    let stars: Vec<u8> = done
        .iter()
        .filter_map(|(_, s, _)| s.rating.as_ref().map(|r| r.stars))
        .collect();
    let average_rating = if stars.is_empty() {
        None
    } else {
        Some(stars.iter().map(|s| f64::from(*s)).sum::<f64>() / stars.len() as f64)
    };

    Figures {
        tasks_raised: raised.len() as u64,
        tasks_done: done.len() as u64,
        tasks_cancelled: cancelled as u64,
        completion_rate,
        median_close_ms,
        p90_close_ms,
        responses: responses.len() as u64,
        median_first_response_ms: median(&responses),
        p90_first_response_ms: p90(&responses),
        within_response_target_share,
        services_delivered,
        within_deadline_share,
        average_rating,
        ratings: stars.len() as u64,
        service_minutes: service_minutes(boards, teams, scope, period),
    }
}

/// Per provider, the covered tasks done in `period` that an accepted
/// request on their board made.
fn services_delivered(
    covered: &[(&TaskBoard, &TaskId, &Task, TaskState)],
    period: Period,
) -> BTreeMap<TeamId, u64> {
    let mut out = BTreeMap::new();
    for (board, id, _, state) in covered {
        if state.status != TaskStatus::Done || !state.done_at.is_some_and(|d| period.contains(d)) {
            continue;
        }
        let provider = board.requests.values().find_map(|r| {
            let d = r.decision()?;
            (d.accepted && d.task.as_ref() == Some(*id))
                .then(|| board.services.get(&r.service))
                .flatten()
                .map(|s| &s.provider)
        });
        if let Some(p) = provider {
            *out.entry(p.clone()).or_insert(0) += 1;
        }
    }
    out
}

fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn median(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    if n % 2 == 1 {
        Some(sorted[n / 2])
    } else {
        let (a, b) = (sorted[n / 2 - 1], sorted[n / 2]);
        Some(a + (b - a).div_euclid(2))
    }
}

/// The nearest-rank 90th percentile of `sorted`: the `⌈0.9·n⌉`-th
/// smallest value (so one value is its own p90, and of ten the 9th).
fn p90(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    let rank = (n * 9).div_ceil(10);
    rank.checked_sub(1).and_then(|i| sorted.get(i)).copied()
}

fn service_minutes(boards: &[TaskBoard], teams: &[Team], scope: &Scope, period: Period) -> u64 {
    let community_tasks: BTreeSet<&TaskId> = match scope {
        Scope::Community(c) => boards
            .iter()
            .filter(|b| b.board.community == *c)
            .flat_map(|b| b.tasks.keys())
            .collect(),
        _ => BTreeSet::new(),
    };
    let team = match scope {
        Scope::Team(t) => teams.iter().find(|team| team.team.id == *t),
        _ => None,
    };
    all_hours(boards, teams)
        .iter()
        .filter(|h| period.contains(h.start))
        .filter(|h| match scope {
            Scope::Team(t) => match team {
                Some(team) => h.is_for_team(team),
                None => h.team.as_ref() == Some(t),
            },
            Scope::Volunteer(v) => h.volunteer == *v,
            Scope::Street => true,
            Scope::Community(c) => match &h.community {
                Some(hc) => hc == c,
                None => h.task.as_ref().is_some_and(|t| community_tasks.contains(t)),
            },
        })
        .map(|h| u64::from(h.minutes))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{BuildingId, HoursEntryId, PersonId};
    use crate::task_board::TaskBoardRef;
    use crate::task_event::{EventKind, TaskEvent};
    use crate::team::{HoursEntry, TeamRef, Volunteer};
    use crate::vocab::{Affiliation, Availability};

    const H: i64 = 3_600_000;

    /// (entry id, volunteer, start, minutes, community, task)
    type HoursRow<'a> = (&'a str, &'a str, i64, u32, Option<&'a str>, Option<&'a str>);

    fn p(s: &str) -> PersonId {
        PersonId::new(s).unwrap()
    }

    fn v(s: &str) -> VolunteerId {
        VolunteerId::new(s).unwrap()
    }

    /// A task raised at `created` with `deadline`, and events `(at, by, kind)`.
    fn task(
        id: &str,
        created: i64,
        deadline: Option<i64>,
        events: &[(i64, &str, EventKind)],
    ) -> (TaskId, Task) {
        let tid = TaskId::new(id).unwrap();
        let mut evs = vec![TaskEvent::new(
            &tid,
            created,
            p("head"),
            EventKind::Created,
            "",
        )];
        evs.extend(
            events
                .iter()
                .map(|(at, by, k)| TaskEvent::new(&tid, *at, p(by), k.clone(), "")),
        );
        let t = Task {
            kind: "errand".into(),
            title: id.into(),
            detail: String::new(),
            building: BuildingId::new("b1").unwrap(),
            household: None,
            created_by: p("head"),
            created_at: created,
            deadline,
            events: evs,
        };
        (tid, t)
    }

    fn done(claim: i64, finish: i64, by: &'static str) -> Vec<(i64, &'static str, EventKind)> {
        vec![
            (claim, by, EventKind::Claimed),
            (finish, by, EventKind::Done),
        ]
    }

    fn rated(
        mut evs: Vec<(i64, &'static str, EventKind)>,
        at: i64,
        stars: u8,
    ) -> Vec<(i64, &'static str, EventKind)> {
        evs.push((
            at,
            "head",
            EventKind::Rated {
                stars,
                feedback: String::new(),
            },
        ));
        evs
    }

    fn board(community: &str, tasks: Vec<(TaskId, Task)>) -> TaskBoard {
        TaskBoard {
            schema: 1,
            board: TaskBoardRef {
                community: CommunityId::new(community).unwrap(),
                period: "p".into(),
            },
            tasks: tasks.into_iter().collect(),
            hours: BTreeMap::new(),
            services: BTreeMap::new(),
            requests: BTreeMap::new(),
            notices: BTreeMap::new(),
        }
    }

    fn team(id: &str, members: &[&str], hours: &[HoursRow]) -> Team {
        let volunteer = Volunteer {
            name: "x".into(),
            phone: "1".into(),
            affiliation: Affiliation::Resident,
            skills: Default::default(),
            availability: Availability::Any,
        };
        Team {
            schema: 1,
            team: TeamRef {
                id: TeamId::new(id).unwrap(),
                name: id.into(),
            },
            volunteers: members.iter().map(|m| (v(m), volunteer.clone())).collect(),
            hours: hours
                .iter()
                .map(|(eid, vol, start, minutes, community, task)| {
                    (
                        HoursEntryId::new(*eid).unwrap(),
                        HoursEntry {
                            volunteer: v(vol),
                            start: *start,
                            minutes: *minutes,
                            community: community.map(|c| CommunityId::new(c).unwrap()),
                            task: task.map(|t| TaskId::new(t).unwrap()),
                            note: String::new(),
                        },
                    )
                })
                .collect::<BTreeMap<_, _>>(),
        }
    }

    /// Period [100h, 200h). Community c1 has:
    /// - t1 raised 90h (before), done by v1 at 110h (in), deadline 120h (met), rated 4;
    /// - t2 raised 100h (in), done by v2 at 130h (in), deadline 125h (missed), rated 2;
    /// - t3 raised 150h (in), done by v1 at 250h (after the period);
    /// - t4 raised 160h (in), still open;
    /// - t5 raised 170h (in), done by v1 at 180h (in), no deadline, not rated;
    /// - t6 raised 120h (in), cancelled at 130h.
    ///
    /// Community c2 has t7 raised 150h, done by v1 at 160h, rated 5.
    fn fixture() -> (Vec<TaskBoard>, Vec<Team>) {
        let c1 = board(
            "c1",
            vec![
                task(
                    "t1",
                    90 * H,
                    Some(120 * H),
                    &rated(done(95 * H, 110 * H, "v1"), 111 * H, 4),
                ),
                task(
                    "t2",
                    100 * H,
                    Some(125 * H),
                    &rated(done(101 * H, 130 * H, "v2"), 300 * H, 2),
                ),
                task("t3", 150 * H, None, &done(151 * H, 250 * H, "v1")),
                task("t4", 160 * H, None, &[]),
                task("t5", 170 * H, None, &done(171 * H, 180 * H, "v1")),
                task(
                    "t6",
                    120 * H,
                    None,
                    &[(130 * H, "head", EventKind::Cancelled)],
                ),
            ],
        );
        let c2 = board(
            "c2",
            vec![task(
                "t7",
                150 * H,
                None,
                &rated(done(151 * H, 160 * H, "v1"), 161 * H, 5),
            )],
        );
        let teams = vec![
            team(
                "team-a",
                &["v1"],
                &[
                    ("h1", "v1", 110 * H, 60, Some("c1"), None),
                    ("h2", "v1", 160 * H, 30, None, Some("t7")),
                    ("h3", "v1", 210 * H, 45, Some("c1"), None),
                ],
            ),
            team(
                "team-b",
                &["v2"],
                &[
                    ("h4", "v2", 130 * H, 90, None, Some("t2")),
                    // The same entry id also logged in team-a's document is counted once.
                    ("h1", "v1", 110 * H, 60, Some("c1"), None),
                ],
            ),
        ];
        (vec![c1, c2], teams)
    }

    const PERIOD: Period = Period {
        from: 100 * H,
        to: 200 * H,
    };

    #[test]
    fn community_figures_match_hand_computation() {
        let (boards, teams) = fixture();
        let f = figures(
            &boards,
            &teams,
            &Scope::Community(CommunityId::new("c1").unwrap()),
            PERIOD,
            &ResponseTargets::default(),
        );
        // Raised in [100h,200h): t2, t3, t4, t5, t6.
        assert_eq!(f.tasks_raised, 5);
        // Done in period: t1 (110h), t2 (130h), t5 (180h).
        assert_eq!(f.tasks_done, 3);
        assert_eq!(f.tasks_cancelled, 1);
        // Of t2..t6, done before 200h: t2, t5 → 2/5.
        assert_eq!(f.completion_rate, Some(0.4));
        // Close times: t1 20h, t2 30h, t5 10h → median 20h.
        assert_eq!(f.median_close_ms, Some(20 * H));
        // Of 10h, 20h, 30h the 3rd smallest (⌈2.7⌉) is the p90.
        assert_eq!(f.p90_close_ms, Some(30 * H));
        // Claimed in the period: t2, t3, t5, each an hour after being raised
        // (t1's claim at 95h is before the period).
        assert_eq!(f.responses, 3);
        assert_eq!(f.median_first_response_ms, Some(H));
        assert_eq!(f.p90_first_response_ms, Some(H));
        // With deadline: t1 met, t2 missed → 1/2.
        assert_eq!(f.within_deadline_share, Some(0.5));
        // Ratings of t1 (4) and t2 (2, given after the period) → 3.0.
        assert_eq!(f.average_rating, Some(3.0));
        assert_eq!(f.ratings, 2);
        // h1 (c1, 60) + h4 (task t2 on c1, 90); h3 is after the period.
        assert_eq!(f.service_minutes, 150);
        assert_eq!(f.service_hours(), 2.5);
    }

    #[test]
    fn volunteer_figures_follow_their_assigned_tasks_on_every_board() {
        let (boards, teams) = fixture();
        let f = figures(
            &boards,
            &teams,
            &Scope::Volunteer(v("v1")),
            PERIOD,
            &ResponseTargets::default(),
        );
        // v1 holds t1, t3, t5, t7; raised in period: t3, t5, t7.
        assert_eq!(f.tasks_raised, 3);
        // Done in period: t1, t5, t7.
        assert_eq!(f.tasks_done, 3);
        // t5 and t7 done before 200h, t3 not → 2/3.
        assert_eq!(f.completion_rate, Some(2.0 / 3.0));
        // Close times 20h, 10h, 10h → 10h.
        assert_eq!(f.median_close_ms, Some(10 * H));
        assert_eq!(f.within_deadline_share, Some(1.0));
        // t1 4 stars, t7 5 stars.
        assert_eq!(f.average_rating, Some(4.5));
        // h1 60 + h2 30 (h1's copy in team-b counts once).
        assert_eq!(f.service_minutes, 90);
    }

    #[test]
    fn team_figures_cover_their_members_and_their_own_log() {
        let (boards, teams) = fixture();
        let f = figures(
            &boards,
            &teams,
            &Scope::Team(TeamId::new("team-b").unwrap()),
            PERIOD,
            &ResponseTargets::default(),
        );
        // team-b = {v2}: t2 only.
        assert_eq!((f.tasks_raised, f.tasks_done), (1, 1));
        assert_eq!(f.median_close_ms, Some(30 * H));
        assert_eq!(f.within_deadline_share, Some(0.0));
        assert_eq!(f.average_rating, Some(2.0));
        // team-b's log: h4 90 + h1 60.
        assert_eq!(f.service_minutes, 150);
    }

    #[test]
    fn street_figures_cover_every_board_and_every_hours_entry() {
        let (boards, teams) = fixture();
        let f = figures(
            &boards,
            &teams,
            &Scope::Street,
            PERIOD,
            &ResponseTargets::default(),
        );
        // c1's five and c2's t7.
        assert_eq!(f.tasks_raised, 6);
        assert_eq!(f.tasks_done, 4);
        assert_eq!(f.responses, 4);
        let community = |c: &str| {
            figures(
                &boards,
                &teams,
                &Scope::Community(CommunityId::new(c).unwrap()),
                PERIOD,
                &ResponseTargets::default(),
            )
        };
        assert_eq!(
            f.tasks_done,
            community("c1").tasks_done + community("c2").tasks_done
        );
        assert!(f.service_minutes >= community("c1").service_minutes);
    }

    #[test]
    fn p90_is_by_nearest_rank() {
        assert_eq!(p90(&[]), None);
        assert_eq!(p90(&[7]), Some(7));
        assert_eq!(p90(&(1..=10).collect::<Vec<_>>()), Some(9));
        assert_eq!(p90(&(1..=11).collect::<Vec<_>>()), Some(10));
    }

    #[test]
    fn empty_scope_has_no_rates() {
        let (boards, teams) = fixture();
        let f = figures(
            &boards,
            &teams,
            &Scope::Volunteer(v("nobody")),
            PERIOD,
            &ResponseTargets::default(),
        );
        assert_eq!(f.tasks_raised, 0);
        assert_eq!(f.completion_rate, None);
        assert_eq!(f.median_close_ms, None);
        assert_eq!(f.p90_close_ms, None);
        assert_eq!(f.median_first_response_ms, None);
        assert_eq!(f.within_deadline_share, None);
        assert_eq!(f.average_rating, None);
        assert_eq!(f.service_minutes, 0);
    }

    #[test]
    fn even_median_is_the_lower_rounded_mean_and_skew_counts_as_zero() {
        assert_eq!(median(&[1, 4]), Some(2));
        assert_eq!(median(&[1, 2, 3]), Some(2));
        assert_eq!(median(&[]), None);
        let (tid, t) = task("t", 100, None, &done(50, 90, "v1"));
        let b = board("c1", vec![(tid, t)]);
        let f = figures(
            &[b],
            &[],
            &Scope::Community(CommunityId::new("c1").unwrap()),
            Period { from: 0, to: 200 },
            &ResponseTargets::default(),
        );
        assert_eq!(f.median_close_ms, Some(0));
    }

    #[test]
    fn period_is_half_open() {
        let p = Period { from: 10, to: 20 };
        assert!(p.contains(10));
        assert!(p.contains(19));
        assert!(!p.contains(20));
        assert!(!p.contains(9));
    }
}
