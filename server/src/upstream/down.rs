//! What comes down: the district boards the hub shares with this street
//! are registered in the street's directory, so the street's devices find
//! them and its roles decide who may use them.

use std::any::Any;
use std::collections::BTreeSet;

use automerge::Automerge;
use automerge::transaction::{CommitOptions, Transactable};
use linli_protocol::DocumentId;
use linli_records::district::{self, District};
use linli_records::ids::DocUrl;
use tokio::sync::oneshot;
use tracing::{debug, info, warn};

use crate::doc_actor::{DocCommand, LocalEdit};
use crate::documents::DocRegistry;

/// The name changes the relay makes itself are stored under in the audit
/// log.
pub(super) const RELAY_TOKEN: &str = "relay";

/// Runs `edit` in document `doc`'s task; `None` if the task is gone or
/// the edit failed. An edit that changes nothing stores nothing, so this
/// also reads a document as its task holds it.
pub(super) async fn in_task<R: Send + 'static>(
    docs: &DocRegistry,
    doc: DocumentId,
    edit: impl FnOnce(&mut Automerge) -> Result<R, String> + Send + 'static,
) -> Option<R> {
    let (reply, answer) = oneshot::channel();
    let run = move |d: &mut Automerge| edit(d).map(|r| Box::new(r) as Box<dyn Any + Send>);
    docs.send(
        doc,
        DocCommand::Edit {
            token: RELAY_TOKEN.to_owned(),
            edit: LocalEdit(Box::new(run)),
            reply,
        },
    );
    match answer.await {
        Ok(Ok(a)) => a.downcast::<R>().ok().map(|a| *a),
        Ok(Err(e)) => {
            warn!(doc = %doc, error = %e, "the relay's own edit failed");
            None
        }
        Err(_) => None,
    }
}

/// Runs `write` in a transaction on `doc`, committed with the relay as
/// author when it changed anything.
pub(super) fn transact<T>(
    doc: &mut Automerge,
    write: impl FnOnce(&mut automerge::transaction::Transaction<'_>) -> Result<T, String>,
) -> Result<T, String> {
    let mut tx = doc.transaction();
    match write(&mut tx) {
        Ok(answer) => {
            if tx.pending_ops() > 0 {
                let secs = crate::wall_clock_millis() / 1000;
                tx.commit_with(
                    CommitOptions::default()
                        .with_message("linli-relay")
                        .with_time(secs),
                );
            } else {
                tx.rollback();
            }
            Ok(answer)
        }
        Err(e) => {
            tx.rollback();
            Err(e)
        }
    }
}

/// Registers in the street directory `street_dir` every board the district
/// directory `district_doc` shares down to this street, and removes those
/// it no longer shares. Returns how many boards are shared down.
pub(super) async fn register(
    docs: &DocRegistry,
    district_doc: DocumentId,
    street_dir: DocumentId,
) -> usize {
    let Some(district) = in_task(docs, district_doc, |d| Ok(District::load(&*d).ok()))
        .await
        .flatten()
    else {
        return 0;
    };
    let Ok(my_url) = DocUrl::new(street_dir.url()) else {
        return 0;
    };
    let Some(street) = district.street_with_directory(&my_url) else {
        debug!("the district directory does not list this street's directory");
        return 0;
    };
    let mine: Vec<_> = district
        .shared_with(street)
        .map(|(id, board, community)| (id.to_owned(), board.clone(), community.clone()))
        .collect();
    let count = mine.len();
    let keep: BTreeSet<String> = mine.iter().map(|(id, _, _)| id.clone()).collect();
    let changed = in_task(docs, street_dir, move |d| {
        let before = d.get_heads();
        let gone = transact(d, |tx| {
            for (id, board, community) in &mine {
                district::register_down_board(tx, id, board, community)
                    .map_err(|e| e.to_string())?;
            }
            // What the district stopped sharing with this street.
            district::unregister_down_boards_except(tx, &keep).map_err(|e| e.to_string())
        })?;
        Ok((d.get_heads() != before, gone))
    })
    .await;
    if let Some((true, gone)) = changed {
        info!(
            boards = count,
            removed = gone,
            "the district's boards in the street directory follow the district directory"
        );
    }
    count
}
