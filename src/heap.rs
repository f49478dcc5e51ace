//! Handing the memory wamod freed back to the system. glibc keeps what a thread freed in that
//! thread's arena, below whatever is still live there: after the one-answer sync (a parse tree of
//! 100,000 participants, freed at once) tens of MB stayed resident, and the burst that follows
//! grew other threads' arenas on top of them (`wamod perf`'s peak memory). `malloc_trim(0)`
//! returns the free pages of every arena, in the middle of a heap too.
//!
//! And keeping one arena: by default each thread that allocates under contention gets an arena
//! of its own (up to 8 a core), and a burst handled on the runtime's workers, its blocking pool
//! and the UI thread grows several at once, each keeping its own free pages. wamod's work is
//! mostly one task at a time, so one arena costs little speed (`wamod perf`: the burst stays
//! above its budget) and keeps the peak near the live heap (76-101 MB with the default, 69-76 MB
//! with one, over the same runs).

/// Returns freed heap pages to the system; whether glibc gave any back. Elsewhere (musl, macOS)
/// it does nothing: those allocators return memory themselves.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn release_freed() -> bool {
    // SAFETY: `malloc_trim` takes no pointers; glibc locks each arena while it trims it.
    unsafe { libc::malloc_trim(0) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_freed() -> bool {
    false
}

/// Makes every thread allocate from one arena; call before any thread is started. Whether
/// glibc took it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn one_arena() -> bool {
    // SAFETY: `mallopt` takes no pointers; M_ARENA_MAX only limits arenas created from now on.
    unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn one_arena() -> bool {
    false
}
