//! Change-hash lists as bytes: how confirmed relay heads are kept in the
//! store, and how a sync message announces its sender's heads.

use automerge::ChangeHash;

const HASH_LEN: usize = 32;

/// Heads as stored in doc meta: the 32-byte hashes, concatenated, sorted.
pub(crate) fn encode(heads: &[ChangeHash]) -> Vec<u8> {
    let mut sorted = heads.to_vec();
    sorted.sort();
    sorted.iter().flat_map(|h| h.0).collect()
}

/// The inverse of [`encode`]; `None` when the length is not a multiple of 32.
pub(crate) fn decode(bytes: &[u8]) -> Option<Vec<ChangeHash>> {
    if !bytes.len().is_multiple_of(HASH_LEN) {
        return None;
    }
    bytes
        .chunks_exact(HASH_LEN)
        .map(|c| <[u8; HASH_LEN]>::try_from(c).ok().map(ChangeHash))
        .collect()
}

/// The heads an encoded automerge sync message says its sender has.
///
/// Both message versions (0x42, 0x43) start with the version byte and then
/// the sender's heads as a LEB128 count followed by 32-byte hashes, so this
/// reads only that prefix instead of decoding the whole message again.
pub(crate) fn advertised(data: &[u8]) -> Option<Vec<ChangeHash>> {
    let (&version, rest) = data.split_first()?;
    if version != 0x42 && version != 0x43 {
        return None;
    }
    let (count, used) = read_uleb(rest)?;
    let count = usize::try_from(count).ok()?;
    let body = rest.get(used..)?;
    let bytes = body.get(..count.checked_mul(HASH_LEN)?)?;
    let mut heads = decode(bytes)?;
    heads.sort();
    Some(heads)
}

fn read_uleb(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f).checked_shl(7 * i as u32)?;
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::sync::{self, SyncDoc};
    use automerge::transaction::Transactable;
    use automerge::{Automerge, ROOT};

    #[test]
    fn stored_heads_round_trip_and_bad_lengths_are_refused() {
        let heads = vec![ChangeHash([7; 32]), ChangeHash([1; 32])];
        let bytes = encode(&heads);
        let mut sorted = heads.clone();
        sorted.sort();
        assert_eq!(decode(&bytes), Some(sorted));
        assert_eq!(decode(&bytes[..31]), None);
        assert_eq!(decode(&[]), Some(Vec::new()));
    }

    #[test]
    fn advertised_heads_are_read_from_a_real_sync_message() {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        tx.put(ROOT, "k", "v").unwrap();
        tx.commit();
        let mut state = sync::State::new();
        let message = doc.generate_sync_message(&mut state).unwrap();
        let data = message.encode();
        assert_eq!(advertised(&data), Some(doc.get_heads()));
        assert_eq!(advertised(&data[..5]), None);
        assert_eq!(advertised(&[]), None);
        assert_eq!(advertised(&[0x99, 0]), None);
    }
}
