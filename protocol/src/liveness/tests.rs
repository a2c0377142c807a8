use std::time::Duration;

use super::{Liveness, LivenessPolicy, Verdict};

/// Ping after 15 s of silence, give up after 45 s (the device's policy).
fn policy() -> LivenessPolicy {
    LivenessPolicy {
        ping_after: Duration::from_secs(15),
        give_up_after: Duration::from_secs(45),
    }
}

const S: u64 = 1000;

#[test]
fn a_peer_heard_recently_needs_nothing() {
    let mut l = Liveness::new(policy(), 0);
    assert_eq!(l.poll(14 * S), Verdict::Fine);
    l.heard(14 * S);
    assert_eq!(l.poll(28 * S), Verdict::Fine);
    assert_eq!(l.next_wake(), 29 * S);
}

#[test]
fn a_silent_peer_is_pinged_then_given_up() {
    let mut l = Liveness::new(policy(), 0);
    assert_eq!(l.next_wake(), 15 * S);
    assert_eq!(l.poll(15 * S), Verdict::Ping);
    // The ping was sent: no second one until another interval passes.
    assert_eq!(l.poll(16 * S), Verdict::Fine);
    assert_eq!(l.next_wake(), 30 * S);
    assert_eq!(l.poll(30 * S), Verdict::Ping);
    assert_eq!(l.next_wake(), 45 * S);
    assert_eq!(
        l.poll(45 * S),
        Verdict::GiveUp {
            silent: Duration::from_secs(45)
        }
    );
}

#[test]
fn an_answer_to_a_ping_keeps_the_connection() {
    let mut l = Liveness::new(policy(), 0);
    assert_eq!(l.poll(15 * S), Verdict::Ping);
    l.heard(16 * S);
    assert_eq!(l.poll(30 * S), Verdict::Fine);
    assert_eq!(l.next_wake(), 31 * S);
    assert_eq!(l.poll(31 * S), Verdict::Ping);
}

#[test]
fn a_late_wake_gives_up_rather_than_pinging() {
    let mut l = Liveness::new(policy(), 0);
    assert!(
        matches!(l.poll(60 * S), Verdict::GiveUp { silent } if silent == Duration::from_secs(60))
    );
}

#[test]
fn an_early_wake_is_harmless() {
    let mut l = Liveness::new(policy(), 0);
    l.heard(10 * S);
    // A driver that armed its timer for 15 s wakes before the new deadline.
    assert_eq!(l.poll(15 * S), Verdict::Fine);
    assert_eq!(l.next_wake(), 25 * S);
}

#[test]
fn a_clock_reading_from_before_the_last_frame_changes_nothing() {
    let mut l = Liveness::new(policy(), 20 * S);
    l.heard(5 * S);
    assert_eq!(l.poll(21 * S), Verdict::Fine);
    assert_eq!(l.next_wake(), 35 * S);
}

#[test]
fn a_zero_policy_still_makes_progress() {
    let mut l = Liveness::new(
        LivenessPolicy {
            ping_after: Duration::ZERO,
            give_up_after: Duration::ZERO,
        },
        7,
    );
    assert!(l.next_wake() > 7);
    assert!(matches!(l.poll(8), Verdict::GiveUp { .. }));
}
