// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    return_large_blocks_to_the_system();
    njia_app::run();
}

/// Unlocking derives the store's key with Argon2id, which fills 19 MiB and frees it. glibc
/// then raises its mmap threshold to that size, so later large blocks come from heaps that
/// keep their pages: about 20 MiB held all day for nothing (seen in the app's memory map
/// after unlock). A fixed threshold keeps blocks of 1 MiB and more in their own mappings,
/// given back when freed.
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called before any other
    // thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}
