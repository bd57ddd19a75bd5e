//! How much memory the window's JavaScript engine may keep before it collects.
//!
//! On a machine with 16 GiB or more, JavaScriptCore lets its heap grow to about four times
//! what was alive after the last collection (and never collects below 32 MiB of new objects)
//! before it collects again, and keeps the pages it grew into. The timeline has about 9 MiB
//! alive; scrolling through 5,000 revisions renders each row once, and the heap grew to 38 MiB
//! before its first collection: 30 MiB of the WebKit process's memory for as long as the
//! window stayed open (measured with `JSC_logGC=1`, tests/benches/desktop.rs). Collecting at
//! one and a half times the live size costs a few more young-generation collections of a
//! millisecond or two each while scrolling; the frame times did not change. Whether the
//! collections while the timeline's JSON is parsed cost the cold start is not settled (on a
//! noisy host, one series said 30%, another nothing); if they do, a larger least size (16 MiB)
//! keeps the start free of them.

/// Sets JavaScriptCore's heap growth for the WebKit processes this one starts (they inherit
/// its environment), unless the person running the app set them. Called first in `main`,
/// before any thread or WebKit exists.
pub fn tune_javascript_heap() {
    const OPTIONS: [(&str, &str); 2] = [
        // The growth ratio is 1 + this × e^(-heap/RAM): 1.5 for a heap far below the RAM.
        ("JSC_heapGrowthMaxIncrease", "0.5"),
        // The least a collection waits for, 32 MiB by default: 4 MiB.
        ("JSC_largeHeapSize", "4194304"),
    ];
    for (name, value) in OPTIONS {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
}
