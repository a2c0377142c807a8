//! Any JSON written into a document, as a hostile or buggy peer could (the
//! relay does not check shapes): every typed reader, the task fold, the
//! figures and the conflict listing answer with a value or a typed error,
//! never a panic.

#![no_main]

use automerge::{AutoCommit, ROOT};
use libfuzzer_sys::fuzz_target;
use linli_client::json::assign;
use linli_records::building::Building;
use linli_records::conflicts::list_conflicts;
use linli_records::directory::Directory;
use linli_records::figures::{Period, ResponseTargets, Scope, figures};
use linli_records::ids::CommunityId;
use linli_records::task_board::TaskBoard;
use linli_records::team::Team;

fuzz_target!(|data: &[u8]| {
    let Ok(serde_json::Value::Object(root)) = serde_json::from_slice(data) else {
        return;
    };
    let mut doc = AutoCommit::new();
    for (key, value) in &root {
        if assign(&mut doc, &ROOT, key.as_str(), value).is_err() {
            return;
        }
    }
    let _ = linli_records::detect_kind(&doc);
    let _ = Building::load(&doc);
    let _ = Directory::load(&doc);
    let teams: Vec<Team> = Team::load(&doc).into_iter().collect();
    let boards: Vec<TaskBoard> = TaskBoard::load(&doc).into_iter().collect();
    for board in &boards {
        for task in board.tasks.values() {
            let _ = task.state();
        }
        for service in board.services.keys() {
            let _ = linli_records::services::places(&board, service);
        }
        let period = Period {
            from: i64::MIN,
            to: i64::MAX,
        };
        let _ = figures(
            &boards,
            &teams,
            &Scope::Community(board.board.community.clone()),
            period, &ResponseTargets::default(),
        );
    }
    if let Ok(c) = CommunityId::new("c01") {
        let _ = figures(&boards, &teams, &Scope::Community(c), Period { from: 0, to: 1 }, &ResponseTargets::default());
    }
    let _ = list_conflicts(doc.document());
});
