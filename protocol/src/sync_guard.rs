//! Checks on a decoded automerge sync message that automerge itself does
//! not make, so that hostile bytes get a typed error instead of a panic or
//! a huge allocation inside automerge.
//!
//! Found by fuzzing (`fuzz/`, target `sync_session`): a bloom filter that
//! claims entries but carries no bits makes automerge 0.12 divide by zero,
//! and one that claims billions of probes makes it allocate for all of them.

use automerge::sync;

/// The most probes or bits per entry a well-formed filter uses; automerge
/// writes 7 probes and 10 bits per entry.
const MAX_PROBES: u64 = 64;
const MAX_BITS_PER_ENTRY: u64 = 64;

/// Why a sync message was refused before automerge saw it.
pub fn check(message: &sync::Message) -> Result<(), String> {
    for have in &message.have {
        check_bloom(&have.bloom.to_bytes())?;
    }
    Ok(())
}

fn check_bloom(bytes: &[u8]) -> Result<(), String> {
    if bytes.is_empty() {
        return Ok(());
    }
    let mut rest = bytes;
    let entries = leb128(&mut rest).ok_or("truncated bloom filter")?;
    let bits_per_entry = leb128(&mut rest).ok_or("truncated bloom filter")?;
    let probes = leb128(&mut rest).ok_or("truncated bloom filter")?;
    if entries == 0 {
        return Ok(());
    }
    if rest.is_empty() || bits_per_entry == 0 || bits_per_entry > MAX_BITS_PER_ENTRY {
        return Err(format!(
            "bloom filter claims {entries} entries with {bits_per_entry} bits each but carries {} bytes",
            rest.len()
        ));
    }
    if probes == 0 || probes > MAX_PROBES {
        return Err(format!("bloom filter asks for {probes} probes"));
    }
    Ok(())
}

/// Reads one unsigned LEB128 number.
fn leb128(input: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for (i, byte) in input.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            *input = &input[i + 1..];
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_crash_bloom_without_bits_is_refused() {
        // fuzz/artifacts/sync_session/crash-53abcceb…: entries=1, 0 bits.
        let data = [
            0x43, 0x00, 0x00, 0x01, 0x00, 0x07, 0xf9, 0xf5, 0x3d, 0, 0, 0, 0, 0,
        ];
        let Ok(message) = sync::Message::decode(&data) else {
            return; // automerge refusing it outright is fine too
        };
        assert!(check(&message).is_err());
    }

    #[test]
    fn filters_automerge_writes_pass() {
        let mut doc = automerge::AutoCommit::new();
        use automerge::transaction::Transactable;
        doc.put(automerge::ROOT, "k", "v").unwrap();
        let mut state = sync::State::new();
        use automerge::sync::SyncDoc;
        let message = doc.sync().generate_sync_message(&mut state).unwrap();
        assert!(check(&message).is_ok());
        assert!(check_bloom(&[]).is_ok());
        assert!(check_bloom(&[1, 10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xaa, 0xbb]).is_err());
    }
}
