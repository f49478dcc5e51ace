//! Handing the memory wamod freed back to the system. glibc keeps what a thread freed in that
//! thread's arena, below whatever is still live there: after the one-answer sync (a parse tree of
//! 100,000 participants, freed at once) tens of MB stayed resident, and the burst that follows
//! grew other threads' arenas on top of them (`wamod perf`'s peak memory). `malloc_trim(0)`
//! returns the free pages of every arena, in the middle of a heap too.

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
