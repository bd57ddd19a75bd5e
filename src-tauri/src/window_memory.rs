//! How WebKit draws the window and how much memory its JavaScript engine keeps (Linux).
//!
//! Both are chosen through environment variables that WebKit reads when it starts its
//! processes (which inherit this one's environment), so they are set first in `main`, before
//! any thread or WebKit exists. A variable the person running the app has set is left alone.
//!
//! **Drawing without compositing.** WebKit composites the page's layers with OpenGL by
//! default. The timeline is a list of text rows; on a machine without a GPU (a VM, a remote
//! desktop, Xvfb in CI) that OpenGL is Mesa's software rasteriser, and compositing cost about
//! 100 MiB more in WebKit's web process (349-363 MiB for the whole app with 5,000 revisions,
//! against 251-256) and made every scrolling frame late (28 ms median, against 16 ms). Without
//! compositing WebKit paints the page on the CPU and hands the window a bitmap, which is also
//! the mode that avoids the blank windows some GPU drivers give WebKit. Setting
//! `WEBKIT_DISABLE_COMPOSITING_MODE=0` brings compositing back.
//!
//! **The JavaScript heap.** On a machine with 16 GiB or more, JavaScriptCore lets its heap grow
//! to about four times what was alive after the last collection (and never collects below 32 MiB
//! of new objects) before it collects again, and keeps the pages it grew into. The timeline has
//! about 9 MiB alive; scrolling through 5,000 revisions renders each row once, and the heap grew
//! to 38 MiB before its first collection: 30 MiB of the web process's memory for as long as the
//! window stayed open (measured with `JSC_logGC=1`, tests/benches/desktop.rs). Collecting at one
//! and a half times the live size costs a few more young-generation collections of a
//! millisecond or two each while scrolling; the frame times did not change.

use std::ffi::OsString;

/// The variables and the values this app starts WebKit with.
const DEFAULTS: [(&str, &str); 3] = [
    ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
    // The growth ratio is 1 + this × e^(-heap/RAM): 1.5 for a heap far below the RAM.
    ("JSC_heapGrowthMaxIncrease", "0.5"),
    // The least a collection waits for, 32 MiB by default: 4 MiB.
    ("JSC_largeHeapSize", "4194304"),
];

/// The defaults still to set, given how the environment reads now.
fn missing(read: impl Fn(&str) -> Option<OsString>) -> Vec<(&'static str, &'static str)> {
    DEFAULTS
        .into_iter()
        .filter(|(name, _)| read(name).is_none())
        .collect()
}

/// Sets WebKit's drawing mode and JavaScriptCore's heap growth for the processes WebKit
/// starts. Called first in `main`, while this process has one thread.
pub fn tune_webkit() {
    for (name, value) in missing(|name| std::env::var_os(name)) {
        std::env::set_var(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unset_environment_gets_every_default() {
        let set = missing(|_| None);
        assert_eq!(set, DEFAULTS.to_vec());
        assert!(set.contains(&("WEBKIT_DISABLE_COMPOSITING_MODE", "1")));
    }

    #[test]
    fn what_the_person_running_the_app_set_is_left_alone() {
        let set = missing(|name| {
            (name == "WEBKIT_DISABLE_COMPOSITING_MODE").then(|| OsString::from("0"))
        });
        assert!(set
            .iter()
            .all(|(name, _)| *name != "WEBKIT_DISABLE_COMPOSITING_MODE"));
        assert_eq!(set.len(), DEFAULTS.len() - 1);
    }
}
