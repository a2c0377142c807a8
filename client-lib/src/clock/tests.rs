use std::time::{Duration, UNIX_EPOCH};

use automerge::ROOT;
use automerge::transaction::Transactable;

use super::Clock;
use crate::Client;

#[test]
fn changes_carry_the_time_of_the_clock_the_client_was_opened_with() {
    let dir = tempfile::tempdir().unwrap();
    let made = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let client = Client::open_with_clock(dir.path(), Clock::fixed(made)).unwrap();
    let doc = client.create().unwrap();
    client
        .change(doc, |tx| Ok(tx.put(ROOT, "visited", true)?))
        .unwrap();
    let pending = client.pending(doc).unwrap();
    assert_eq!(pending.changes, 2);
    assert_eq!(pending.oldest, Some(made));
    assert_eq!(
        pending.oldest_age(made + Duration::from_secs(90)),
        Some(Duration::from_secs(90))
    );
}

#[test]
fn a_clock_before_the_epoch_gives_time_zero() {
    let clock = Clock::fixed(UNIX_EPOCH - Duration::from_secs(5));
    assert_eq!(clock.change_time(), 0);
}
