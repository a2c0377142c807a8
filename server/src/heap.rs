//! Measuring how much heap a piece of work leaves behind, for the memory
//! budget: the relay binary installs [`CountingAllocator`] as its global
//! allocator, and [`measure`] tells the net bytes a closure allocated on
//! the calling thread (allocated minus freed).
//!
//! Why this and not an estimate from the stored size: a document's stored
//! bytes are deflate-compressed columns, and how much they expand to in
//! memory depends on what they hold. A freshly imported building expands
//! about 10×, one with a long edit history about 19×, one holding long
//! repetitive notes over 100×. Counting the allocations of the load itself
//! is exact whatever the document holds, and costs one thread-local add per
//! allocation.
//!
//! Only the calling thread's allocations count, so [`measure`] must wrap
//! synchronous work (the parse of a document on a blocking thread), never an
//! `.await`, where other tasks run on the same thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

thread_local! {
    /// Bytes allocated minus bytes freed by this thread since it started.
    static NET: Cell<i64> = const { Cell::new(0) };
}

/// Set by the first allocation through [`CountingAllocator`]: in a process
/// that did not install it (a library user, an in-process test) [`measure`]
/// answers `None` rather than a wrong zero.
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// The system allocator, counting each thread's net allocations.
/// Install it in a binary with `#[global_allocator]`.
pub struct CountingAllocator;

fn count(delta: i64) {
    // `try_with`: during a thread's teardown the slot may be gone; that
    // thread measures nothing any more, so losing the count is harmless.
    let _ = NET.try_with(|net| net.set(net.get().wrapping_add(delta)));
}

/// What an allocation really takes from the allocator: glibc rounds each
/// up to a chunk with a header, which for a document's many small
/// allocations is a good part of its memory (the requested sizes alone
/// came to two thirds of what the relay's resident memory grew by).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn real_size(ptr: *mut u8, _layout: &Layout) -> i64 {
    if ptr.is_null() {
        return 0;
    }
    // SAFETY: `ptr` is a live allocation of the system allocator (glibc's
    // malloc), which is what `malloc_usable_size` takes.
    let usable = unsafe { libc::malloc_usable_size(ptr.cast()) };
    // The chunk header glibc keeps in front of each allocation.
    usable as i64 + std::mem::size_of::<usize>() as i64
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn real_size(ptr: *mut u8, layout: &Layout) -> i64 {
    if ptr.is_null() {
        0
    } else {
        layout.size() as i64
    }
}

// SAFETY: every call is passed straight to `System`, which upholds the
// `GlobalAlloc` contract; the counting touches only a `Cell<i64>` in a
// const-initialised thread-local (no allocation, no destructor), and asks
// the allocator only about pointers it handed out and has not freed.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is System's.
        let ptr = unsafe { System.alloc(layout) };
        count(real_size(ptr, &layout));
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is System's.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        count(real_size(ptr, &layout));
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-real_size(ptr, &layout));
        // SAFETY: the caller's contract is System's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = real_size(ptr, &layout);
        // SAFETY: the caller's contract is System's.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            // On failure the old block stays allocated, uncounted change.
            let new_layout = Layout::from_size_align(new_size, layout.align()).unwrap_or(layout);
            count(real_size(new, &new_layout) - old);
        }
        new
    }
}

impl CountingAllocator {
    /// Marks the allocator as installed, and tunes glibc's malloc for a
    /// long-running relay; called once by the binary at start (a `static`
    /// cannot run code when it is installed).
    ///
    /// glibc gives busy threads arenas of their own, up to eight per core.
    /// Documents are loaded on blocking threads and freed on the async
    /// ones, so each arena ends up holding freed memory the others cannot
    /// reuse: touching a street's buildings under a 4 MiB budget peaked at
    /// 47 MB resident with the default arenas and at 33 MB with two. Two it
    /// is, unless the operator set `MALLOC_ARENA_MAX` (glibc's own setting).
    pub fn installed(&self) {
        INSTALLED.store(true, Ordering::Relaxed);
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
            // SAFETY: mallopt only sets a malloc parameter; M_ARENA_MAX
            // takes any positive count.
            unsafe {
                libc::mallopt(libc::M_ARENA_MAX, 2);
            }
        }
    }
}

/// Runs `f` and returns its result with the heap bytes it left allocated on
/// this thread, or `None` when [`CountingAllocator`] is not the process's
/// allocator. Memory `f` freed that was allocated before counts against
/// it, so wrap work that only builds something new.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Option<u64>) {
    let before = NET.with(Cell::get);
    let out = f();
    let after = NET.with(Cell::get);
    let net = if INSTALLED.load(Ordering::Relaxed) {
        Some(after.saturating_sub(before).max(0) as u64)
    } else {
        None
    };
    (out, net)
}
