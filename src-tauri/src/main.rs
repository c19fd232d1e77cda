// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    return_large_blocks_to_the_system();
    run_javascript_without_its_jit();
    njia_app::run();
}

/// The webview's JavaScript engine compiles hot code to machine code and keeps it: about
/// 35 MiB more in the web process after a few dozen searches, which takes the app past its
/// 300 MB bar (docs/benchmarks.md). The page's JavaScript is small enough for the
/// interpreter: a near-me tap still shows its results in well under 100 ms. Set before
/// WebKit starts its web process, which inherits the environment; `JSC_useJIT=true` in the
/// environment brings the JIT back.
fn run_javascript_without_its_jit() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("JSC_useJIT").is_none() {
        std::env::set_var("JSC_useJIT", "false");
    }
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
