#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// jemalloc returns what a burst (reading a 5,000-revision project for the timeline) freed
/// within a second; glibc's allocator kept about 30 MiB of it in its per-thread arenas for as
/// long as the window stayed open.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    #[cfg(target_os = "linux")]
    stratum_app::window_memory::tune_webkit();
    stratum_app::run();
}
