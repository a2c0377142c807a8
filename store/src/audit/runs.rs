//! The compact audit log: runs of changes instead of a row per change.
//!
//! An automerge change is named by its actor and sequence number as well
//! as by its hash, and a device's changes come as consecutive sequence
//! numbers of one actor. So the log keeps, per document, runs: "token T
//! stored changes `first_seq ..< first_seq + count` of actor A", with each
//! change's time as a delta from the one before (a zigzag varint, one byte
//! when changes come together). A busy run grows in place up to
//! [`MAX_RUN`] changes; a change then costs a byte or two instead of a row
//! of about a hundred. The hashes are not stored: the document holds every
//! change it was ever sent, so [`Store::audit`](crate::Store::audit) reads
//! them back from it.
//!
//! Changes whose actor and number cannot be read from the stored bytes
//! (never from the relay's own write path) keep a row each in the older
//! `audit` table, which also holds every row written before schema v5.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use linli_protocol::DocumentId;
use rusqlite::{OptionalExtension, params};

use crate::StoreError;
use crate::keys::id_param;

/// A run grows to at most this many changes, so rewriting it in place
/// stays cheap.
pub(crate) const MAX_RUN: i64 = 512;

/// The changes in `bytes` (concatenated change chunks, as `save_after()`,
/// `save_incremental()` and sync messages carry them): hex hash to actor
/// and sequence number. Empty when the bytes are something else.
pub(crate) fn changes_in(bytes: &[u8]) -> HashMap<String, (Vec<u8>, u64)> {
    let mut found = HashMap::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let Some(len) = chunk_len(rest) else { break };
        let (chunk, after) = rest.split_at(len);
        rest = after;
        if let Ok(change) = automerge::Change::try_from(chunk) {
            found.insert(
                change.hash().to_string(),
                (change.actor_id().to_bytes().to_vec(), change.seq()),
            );
        }
    }
    found
}

/// The length of the automerge chunk at the start of `bytes`: magic (4),
/// checksum (4), type (1), a LEB128 length, then that many bytes.
fn chunk_len(bytes: &[u8]) -> Option<usize> {
    const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
    if bytes.get(..4)? != MAGIC {
        return None;
    }
    let mut pos = 9;
    let mut len: u64 = 0;
    let mut shift = 0;
    loop {
        let byte = *bytes.get(pos)?;
        pos += 1;
        len |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
    let end = pos.checked_add(usize::try_from(len).ok()?)?;
    (end <= bytes.len()).then_some(end)
}

/// Records that `name_id` stored changes `seqs` of `actor` to `doc` at
/// `at`, inside the caller's transaction. Changes already recorded for
/// `doc` are skipped (stored again, they are listed once).
pub(crate) fn record(
    tx: &rusqlite::Transaction<'_>,
    doc: &DocumentId,
    name_id: i64,
    actor: &[u8],
    seqs: &BTreeSet<u64>,
    at: i64,
) -> Result<(), StoreError> {
    tx.prepare_cached("INSERT OR IGNORE INTO audit_actors (actor) VALUES (?1)")?
        .execute([actor])?;
    let actor_id: i64 = tx
        .prepare_cached("SELECT id FROM audit_actors WHERE actor = ?1")?
        .query_row([actor], |r| r.get(0))?;
    let mut covered = tx.prepare_cached(
        "SELECT 1 FROM audit_runs WHERE doc_id = ?1 AND actor_id = ?2
         AND first_seq <= ?3 AND first_seq + count > ?3 LIMIT 1",
    )?;
    let mut new = Vec::new();
    for &seq in seqs {
        let seq = i64::try_from(seq).map_err(|_| StoreError::backend("change number too big"))?;
        let seen = covered
            .query_row(params![id_param(doc), actor_id, seq], |_| Ok(()))
            .optional()?;
        if seen.is_none() {
            new.push(seq);
        }
    }
    for run in contiguous(&new) {
        extend_or_insert(tx, doc, name_id, actor_id, run, at)?;
    }
    Ok(())
}

/// Splits sorted numbers into runs of consecutive ones.
fn contiguous(seqs: &[i64]) -> Vec<&[i64]> {
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..=seqs.len() {
        if i == seqs.len() || seqs[i] != seqs[i - 1] + 1 {
            runs.push(&seqs[start..i]);
            start = i;
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

fn extend_or_insert(
    tx: &rusqlite::Transaction<'_>,
    doc: &DocumentId,
    name_id: i64,
    actor_id: i64,
    run: &[i64],
    at: i64,
) -> Result<(), StoreError> {
    let (Some(&first), Ok(len)) = (run.first(), i64::try_from(run.len())) else {
        return Ok(());
    };
    type Last = (i64, i64, i64, i64, Vec<u8>);
    let last: Option<Last> = tx
        .prepare_cached(
            "SELECT first_seq, count, name_id, last_at, at_deltas FROM audit_runs
             WHERE doc_id = ?1 AND actor_id = ?2 ORDER BY first_seq DESC LIMIT 1",
        )?
        .query_row(params![id_param(doc), actor_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    match last {
        Some((first_seq, count, owner, last_at, mut times))
            if owner == name_id && first_seq + count == first && count + len <= MAX_RUN =>
        {
            times.extend(deltas(at - last_at, run.len()));
            tx.prepare_cached(
                "UPDATE audit_runs SET count = count + ?4, last_at = ?5, at_deltas = ?6
                 WHERE doc_id = ?1 AND actor_id = ?2 AND first_seq = ?3",
            )?
            .execute(params![id_param(doc), actor_id, first_seq, len, at, times])?;
        }
        _ => {
            tx.prepare_cached(
                "INSERT INTO audit_runs
                 (doc_id, actor_id, first_seq, count, name_id, first_at, last_at, at_deltas)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
            )?
            .execute(params![
                id_param(doc),
                actor_id,
                first,
                len,
                name_id,
                at,
                deltas(0, run.len())
            ])?;
        }
    }
    Ok(())
}

/// `n` time deltas: `first`, then zeros (the rest came at the same time).
fn deltas(first: i64, n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n + 9);
    push_varint(&mut out, zigzag(first));
    out.resize(out.len() + n.saturating_sub(1), 0);
    out
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

fn push_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The times in a run's `at_deltas`, starting from `first_at`.
fn times(first_at: i64, deltas: &[u8]) -> Vec<i64> {
    let mut out = Vec::new();
    let mut at = first_at;
    let (mut n, mut shift) = (0_u64, 0_u32);
    for &byte in deltas {
        n |= u64::from(byte & 0x7f).checked_shl(shift).unwrap_or(0);
        shift += 7;
        if byte & 0x80 == 0 {
            at = at.wrapping_add(unzigzag(n));
            out.push(at);
            (n, shift) = (0, 0);
        }
    }
    out
}

/// One change of a run: its actor, number, time and token name.
pub(crate) struct RunChange {
    pub actor: Vec<u8>,
    pub seq: u64,
    pub at: i64,
    pub token_name: String,
}

/// The changes recorded in runs for `doc` at or after `since`.
pub(crate) fn changes_of(
    conn: &rusqlite::Connection,
    doc: &DocumentId,
    since: i64,
) -> Result<Vec<RunChange>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.actor, r.first_seq, r.first_at, r.at_deltas, n.name
         FROM audit_runs r JOIN audit_actors a ON a.id = r.actor_id
         JOIN audit_names n ON n.id = r.name_id
         WHERE r.doc_id = ?1 AND r.last_at >= ?2",
    )?;
    let rows = stmt.query_map(params![id_param(doc), since], |r| {
        Ok((
            r.get::<_, Vec<u8>>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Vec<u8>>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (actor, first_seq, first_at, deltas, name) = row?;
        for (i, at) in times(first_at, &deltas).into_iter().enumerate() {
            if at < since {
                continue;
            }
            out.push(RunChange {
                actor: actor.clone(),
                seq: u64::try_from(first_seq).unwrap_or(0) + i as u64,
                at,
                token_name: name.clone(),
            });
        }
    }
    Ok(out)
}

/// Hex change hashes by actor and number, for the changes `doc` holds.
pub(crate) fn hashes_by_number(doc: &automerge::Automerge) -> BTreeMap<(Vec<u8>, u64), String> {
    doc.get_changes_meta(&[])
        .into_iter()
        .map(|c| ((c.actor.to_bytes().to_vec(), c.seq), c.hash.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_through_deltas() {
        let mut blob = deltas(0, 3);
        blob.extend(deltas(1_000, 1));
        blob.extend(deltas(-5, 2));
        blob.extend(deltas(1 << 40, 1));
        assert_eq!(
            times(7, &blob),
            [7, 7, 7, 1_007, 1_002, 1_002, 1_002 + (1 << 40)]
        );
    }

    #[test]
    fn consecutive_numbers_make_one_run() {
        assert_eq!(
            contiguous(&[1, 2, 3, 7, 8, 10]),
            [&[1, 2, 3][..], &[7, 8], &[10]]
        );
        assert!(contiguous(&[]).is_empty());
    }

    #[test]
    fn the_changes_of_concatenated_chunks_are_found_and_other_bytes_ignored() {
        let mut am = automerge::AutoCommit::new();
        let before = am.get_heads();
        for i in 0..3_i64 {
            automerge::transaction::Transactable::put(&mut am, automerge::ROOT, "k", i).unwrap();
            am.commit();
        }
        let bytes = am.save_after(&before);
        let found = changes_in(&bytes);
        assert_eq!(found.len(), 3);
        let seqs: BTreeSet<u64> = found.values().map(|(_, s)| *s).collect();
        assert_eq!(seqs, BTreeSet::from([1, 2, 3]));
        assert!(changes_in(b"bytes").is_empty());
        assert!(changes_in(&bytes[..bytes.len() - 1]).len() < 3);
    }
}
