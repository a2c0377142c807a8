//! How much memory a loaded document holds, for the memory budget.
//!
//! Measured, not guessed, where it can be: the relay binary counts the
//! allocations of each document's load ([`crate::heap::measure`]), which is
//! exact whatever the document holds. What peers add while it stays loaded
//! is estimated from the bytes stored, at [`GROWTH_PER_STORED_BYTE`]; the
//! next load measures it exactly again. The heap bytes are then scaled by
//! [`RESIDENT_PER_HEAP_BYTE`], what the process's resident memory grows by
//! per heap byte, so the budget bounds what `ps` shows, not a lower figure.
//!
//! Measured once with a counting allocator (`server/tests/document_memory.rs`
//! keeps the measurement and checks these figures still cover it): a
//! building of the generator's street (60 households, ~1,900 operations)
//! holds ~80 KB loaded; the same building after 500 small edits ~217 KB;
//! an almost empty document ~11.5 KB. Stored, they are ~7.5 KB, ~11.5 KB
//! and ~120 bytes.

use automerge::{Automerge, ReadDoc};

/// Resident memory per byte of heap a document's load leaves allocated.
/// Measured end to end on the relay process (`memory_budget::overhead_figures`
/// in the e2e tests): all 210 buildings of the generator's street loaded
/// left 19 MB allocated by their loads and grew the relay's resident
/// anonymous memory by 38 MB; the rest is the allocator's slack around
/// what each load builds and frees. Without it the budget would hold half
/// what it says.
pub const RESIDENT_PER_HEAP_BYTE: u64 = 2;

/// What one loaded document costs besides its automerge document: its task,
/// command channel, sync session and chunk ledger (a few KiB; rounded up).
pub const TASK_BYTES: u64 = 8 * 1024;

/// Bytes of memory per byte of changes stored while the document stays
/// loaded. Measured: 500 small edits (80 KB stored) grew a building by
/// ~156 KB (1.9×); a whole building applied as one change (26–27 KB) grew
/// an empty document by ~80 KB (3.0×). Rounded up from the larger, so the
/// budget errs on the safe side.
pub const GROWTH_PER_STORED_BYTE: u64 = 4;

/// Used only where the counting allocator is not installed (a relay run
/// inside another program or an in-process test): a loaded automerge
/// document's base, and bytes per operation and per change, from the same
/// measurements (rounded up). It does not see long text values.
const FALLBACK_BASE: u64 = 12 * 1024;
const FALLBACK_PER_OP: u64 = 48;
const FALLBACK_PER_CHANGE: u64 = 192;

/// One loaded document's memory: what its load measured (or the fallback
/// estimated), plus the growth since.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Footprint {
    loaded: u64,
    grown: u64,
}

impl Footprint {
    /// The footprint of `doc` just loaded; `measured` is the heap its load
    /// left allocated, when the counting allocator could tell.
    pub fn loaded(doc: &Automerge, measured: Option<u64>) -> Self {
        let loaded = measured.unwrap_or_else(|| {
            let stats = doc.stats();
            FALLBACK_BASE
                + FALLBACK_PER_OP.saturating_mul(stats.num_ops)
                + FALLBACK_PER_CHANGE.saturating_mul(stats.num_changes)
        });
        Self { loaded, grown: 0 }
    }

    /// Notes `stored` bytes of new changes applied to the document.
    pub fn grew(&mut self, stored: usize) {
        self.grown = self
            .grown
            .saturating_add(GROWTH_PER_STORED_BYTE.saturating_mul(stored as u64));
    }

    /// Notes `heap` bytes measured left allocated by applying changes (a
    /// whole document received at once, whose stored bytes are compressed
    /// and say little of what it holds in memory).
    pub fn grew_heap(&mut self, heap: u64) {
        self.grown = self.grown.saturating_add(heap);
    }

    /// The resident memory the document costs the relay, in bytes, its
    /// task included.
    pub fn bytes(&self) -> u64 {
        TASK_BYTES.saturating_add(
            RESIDENT_PER_HEAP_BYTE.saturating_mul(self.loaded.saturating_add(self.grown)),
        )
    }
}
