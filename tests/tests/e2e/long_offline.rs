//! A building head's phone offline for three weeks (its clock moves on an
//! hour per edit): 500 edits to 20 documents, while the office changes some
//! of the same fields. When the phone comes back every edit reaches the
//! relay, and each field both changed is listed as a conflict with both
//! values, not silently settled.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use linli_client::{Client, Clock};
use linli_records::conflicts::list_conflicts;
use tempfile::TempDir;

use super::client_sync::{get, put, sync};
use super::relay_process::RelayProcess;

const DOCS: usize = 20;
const EDITS: usize = 500;
/// Documents whose `status` both the phone and the office change.
const CLASHES: usize = 8;
const HOUR: u64 = 3600;

#[tokio::test]
async fn weeks_offline_with_500_edits_all_arrive_and_clashing_fields_are_listed() {
    let data = TempDir::new().unwrap();
    let relay = RelayProcess::start(data.path());
    let start = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let now = Arc::new(AtomicU64::new(start));
    let phone_clock = {
        let now = now.clone();
        Clock::from_fn(move || UNIX_EPOCH + Duration::from_secs(now.load(Ordering::Relaxed)))
    };
    let (phone_home, office_home) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let phone = Client::open_with_clock(phone_home.path(), phone_clock).unwrap();
    let office = Client::open(office_home.path()).unwrap();
    let docs: Vec<_> = (0..DOCS)
        .map(|i| {
            let doc = phone.create().unwrap();
            put(&phone, doc, "status", &format!("楼{i} 待走访"));
            doc
        })
        .collect();
    sync(&phone, &relay.url).await;
    for doc in &docs {
        office.want(*doc).unwrap();
    }
    sync(&office, &relay.url).await;

    // Three weeks without a connection: an edit an hour.
    let went_offline = now.load(Ordering::Relaxed);
    for n in 0..EDITS {
        let i = n % DOCS;
        if n < CLASHES {
            put(&phone, docs[i], "status", &format!("楼{i} 已走访 (phone)"));
        } else {
            put(&phone, docs[i], &format!("visit-{n}"), "入户走访");
        }
        now.fetch_add(HOUR, Ordering::Relaxed);
    }
    let waiting = phone.summary().unwrap().pending;
    assert_eq!(waiting.changes, EDITS);
    assert_eq!(
        waiting.oldest,
        Some(UNIX_EPOCH + Duration::from_secs(went_offline))
    );
    let offline = Duration::from_secs(now.load(Ordering::Relaxed) - went_offline);
    assert!(offline >= Duration::from_secs(20 * 24 * HOUR));

    // Meanwhile the office changes the same field of some documents.
    for (i, doc) in docs.iter().enumerate().take(CLASHES) {
        put(
            &office,
            *doc,
            "status",
            &format!("楼{i} 已电话回访 (office)"),
        );
    }
    sync(&office, &relay.url).await;

    // The phone comes back.
    sync(&phone, &relay.url).await;
    assert_eq!(phone.summary().unwrap().pending.changes, 0);
    sync(&office, &relay.url).await;

    // A new device sees every edit, and the clashes listed.
    let fresh_home = TempDir::new().unwrap();
    let fresh = Client::open(fresh_home.path()).unwrap();
    for doc in &docs {
        fresh.want(*doc).unwrap();
    }
    sync(&fresh, &relay.url).await;
    for (i, doc) in docs.iter().enumerate() {
        assert_eq!(fresh.heads(*doc).unwrap(), phone.heads(*doc).unwrap());
        assert_eq!(office.heads(*doc).unwrap(), phone.heads(*doc).unwrap());
        let conflicts = fresh.read(*doc, |d| list_conflicts(d).unwrap()).unwrap();
        if i < CLASHES {
            assert_eq!(conflicts.len(), 1, "{conflicts:?}");
            assert_eq!(conflicts[0].path, vec!["status".to_owned()]);
            let mut values: Vec<String> = conflicts[0]
                .values
                .iter()
                .map(|v| v.value.as_str().unwrap().to_owned())
                .collect();
            values.sort();
            assert_eq!(
                values,
                vec![
                    format!("楼{i} 已电话回访 (office)"),
                    format!("楼{i} 已走访 (phone)"),
                ]
            );
        } else {
            assert!(conflicts.is_empty(), "{conflicts:?}");
        }
    }
    for n in CLASHES..EDITS {
        let doc = docs[n % DOCS];
        assert_eq!(
            get(&fresh, doc, &format!("visit-{n}")).as_deref(),
            Some("入户走访"),
            "edit {n} was lost"
        );
    }
}
