//! Desktop benchmarks (release build, real window under Xvfb): cold start to the first
//! interactive timeline, the timeline command on a 5,000-revision project, and the memory of the
//! running app (its process plus WebKit's). Run: `xvfb-run -a dbus-run-session cargo bench -p
//! stratum-tests --bench desktop` after `cargo build --release -p stratum-app` (the session bus
//! a desktop has: without one each launch waits on GLib starting one); prints a Markdown table.

use std::path::Path;
use std::time::Duration;

use stratum_tests::repo;
use stratum_tests::window::{prerequisites, session_with, wait_text, Driver};

const REVISIONS: usize = 5000;
const RUNS: usize = 7;

/// A long project: a chain with a side branch and its merge every 500 revisions.
fn write_project(dir: &Path) {
    let versions = dir.join("versions");
    std::fs::create_dir_all(&versions).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("stratum.toml"),
        "[project]\nversions = \"versions\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut parent = String::new();
    let mut k = 0;
    while k < REVISIONS {
        let id = format!("r{k:05}");
        let (down, extra) = if k % 500 == 499 && k >= 2 {
            // a merge of the main line and a side revision written just before
            (format!("{parent}, s{k:05}"), Some(format!("s{k:05}")))
        } else {
            (parent.clone(), None)
        };
        if let Some(side) = extra {
            let side_parent = format!("r{:05}", k - 2);
            std::fs::write(
                versions.join(format!("{side}_side.sql")),
                format!("-- revision: {side}\n-- down_revision: {side_parent}\n-- message: side {k}\n\n-- migrate:up\nCREATE TABLE {side} (id INTEGER);\n\n-- migrate:down\nDROP TABLE {side};\n"),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(
            versions.join(format!("{id}_t.sql")),
            format!("-- revision: {id}\n-- down_revision: {down}\n-- message: table {k}\n-- created: 2025-01-01 00:00:00\n\n-- migrate:up\nCREATE TABLE t{k} (id INTEGER, tenant_id INTEGER);\n\n-- migrate:down\nDROP TABLE t{k};\n"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        parent = id;
        k += 1;
    }
}

/// A process's proportional set size: its private memory plus its share of what it maps
/// with others (WebKit's libraries are mapped by the app and both of WebKit's processes;
/// summing RSS would count them three times).
fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// The app's process and every process below it (WebKit's web and network processes), by
/// name: PSS in MiB.
fn tree_pss_mib(name: &str) -> Vec<(String, f64)> {
    let mut pids: Vec<u32> = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm.trim() == name {
            pids.push(pid);
        }
    }
    let mut found: Vec<(String, f64)> = Vec::new();
    let mut todo = pids;
    while let Some(p) = todo.pop() {
        let comm = std::fs::read_to_string(format!("/proc/{p}/comm")).unwrap_or_default();
        let mib = pss_kib(p) as f64 / 1024.0;
        match found.iter_mut().find(|(c, _)| *c == comm.trim()) {
            Some((_, m)) => *m += mib,
            None => found.push((comm.trim().to_string(), mib)),
        }
        let children =
            std::fs::read_to_string(format!("/proc/{p}/task/{p}/children")).unwrap_or_default();
        todo.extend(
            children
                .split_whitespace()
                .filter_map(|c| c.parse::<u32>().ok()),
        );
    }
    found
}

/// The app's memory once it stops changing: sampled every half second until two samples in a
/// row are within 1 MiB (at most ten seconds). jemalloc hands freed pages back over about a
/// second, WebKit's allocators over a few.
async fn settled_pss_mib() -> Vec<(String, f64)> {
    let total = |parts: &[(String, f64)]| parts.iter().map(|(_, m)| m).sum::<f64>();
    let mut last = tree_pss_mib("stratum-app");
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = tree_pss_mib("stratum-app");
        let settled = (total(&now) - total(&last)).abs() < 1.0;
        last = now;
        if settled {
            break;
        }
    }
    last
}

/// Scrolls the timeline from top to bottom, one step per animation frame, and returns the frame
/// intervals' median and 95th percentile, the share of frames over 20 ms, and the time from a
/// jump back to the top and down to the end until the oldest row is in the page and painted.
const SCROLL_THROUGH: &str = r#"
const list = document.querySelector('.timeline');
const frame = () => new Promise(r => requestAnimationFrame(r));
await frame();
const gaps = [];
let last = performance.now();
// Bounded: 5,000 rows of 44 px are under 400 steps; a list that stops moving ends the loop.
for (let i = 0; i < 2000 && list.scrollTop + list.clientHeight < list.scrollHeight - 1; i++) {
  const was = list.scrollTop;
  list.scrollTop += 600;
  await frame();
  if (list.scrollTop === was) break;
  const now = performance.now();
  gaps.push(now - last);
  last = now;
}
gaps.sort((a, b) => a - b);
const at = q => gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * q))];
list.scrollTop = 0;
await frame(); await frame();
const t = performance.now();
list.scrollTop = list.scrollHeight;
for (let i = 0; i < 600 && !document.querySelector('[data-testid=revision-r00000]'); i++) await frame();
await frame();
return { p50: at(0.5), p95: at(0.95), slow: gaps.filter(g => g > 20).length / gaps.length, jump: performance.now() - t, frames: gaps.length };
"#;

/// What a script run in the page returns, as a number (NaN when it fails or returns none).
async fn number(wd: &thirtyfour::WebDriver, script: &str) -> f64 {
    wd.execute(script, vec![])
        .await
        .ok()
        .and_then(|r| r.json().as_f64())
        .unwrap_or(f64::NAN)
}

fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(f64::NAN)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    // `cargo test --all-targets` runs benchmarks once as tests; only `cargo bench` measures.
    if !std::env::args().any(|a| a == "--bench") {
        println!("desktop benchmark: run it with `cargo bench -p stratum-tests --bench desktop`");
        return;
    }
    let Some(driver_bin) = prerequisites() else {
        return;
    };
    let app = repo().join("target/release/stratum-app");
    assert!(
        app.exists(),
        "build it first: cargo build --release -p stratum-app"
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let (mut cold, mut command, mut memory, mut shown_memory) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut by_process: Vec<(String, Vec<f64>)> = Vec::new();
    let (mut frame_p50, mut frame_p95, mut slow_frames, mut jump) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        // The demo profile binds to data/sample-project: put the long project there first.
        write_project(&data.path().join("sample-project"));
        let driver = Driver::start(&driver_bin, data.path());
        rt.block_on(async {
            // The app is started by the session request; the page marks when the timeline's
            // first rows are in it. Both on the wall clock; the page is left alone while it
            // starts, so that no WebDriver request competes with its start.
            let requested = epoch_ms();
            let wd = session_with(driver.port, &app).await;
            tokio::time::sleep(Duration::from_secs(3)).await;
            wait_text(&wd, "[data-testid=db-summary]", "pending").await;
            wait_text(&wd, "[data-testid=revision-r04999]", "r04999").await;
            let shown = number(&wd, "const m = performance.getEntriesByName('stratum:timeline-shown')[0]; return m ? performance.timeOrigin + m.startTime : null;").await;
            cold.push(shown - requested);
            // At rest: the window's start-up work done (the sidebar's statuses follow the
            // timeline, reading the project again) and the allocators done handing back what it
            // freed.
            for _ in 0..200 {
                if number(&wd, "return document.querySelector('[data-testid=profile-1] .dot:not(.dot-unknown)') ? 1 : 0").await == 1.0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            shown_memory.push(settled_pss_mib().await.iter().map(|(_, m)| m).sum::<f64>());
            let scroll = wd.execute(SCROLL_THROUGH, vec![]).await.map(|r| r.json().clone());
            let scroll = scroll.unwrap_or_else(|e| panic!("scrolling: {e}"));
            let field = |k: &str| scroll[k].as_f64().unwrap_or(f64::NAN);
            frame_p50.push(field("p50"));
            frame_p95.push(field("p95"));
            slow_frames.push(field("slow") * 100.0);
            jump.push(field("jump"));
            let parts = settled_pss_mib().await;
            memory.push(parts.iter().map(|(_, m)| m).sum::<f64>());
            for (name, mib) in parts {
                match by_process.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, v)) => v.push(mib),
                    None => by_process.push((name, vec![mib])),
                }
            }
            // Last, so that the garbage of a second reading counts in no memory figure.
            command.push(number(&wd, "const t = performance.now(); await window.__TAURI_INTERNALS__.invoke('timeline', { profileId: 1 }); return performance.now() - t;").await);
            let _ = wd.quit().await;
        });
    }
    println!("| desktop, {REVISIONS}-revision project (release build, Xvfb) | median of {RUNS} |");
    println!("|---|---|");
    println!(
        "| cold start: app launched to the timeline's first rows in the page (5,000 files read, planned, laid out; each run: {}) | {:.0} ms |",
        cold.iter()
            .map(|c| format!("{c:.0}"))
            .collect::<Vec<_>>()
            .join(", "),
        median(cold.clone())
    );
    println!(
        "| `timeline` command (read {REVISIONS} files, plan, layout, JSON over IPC) | {:.0} ms |",
        median(command)
    );
    println!(
        "| scrolling the whole timeline top to bottom, 600 px per frame: frame time median / p95 | {:.1} ms / {:.1} ms |",
        median(frame_p50),
        median(frame_p95)
    );
    println!(
        "| frames over 20 ms while scrolling (a 60 Hz frame is 16.7 ms) | {:.1} % |",
        median(slow_frames)
    );
    println!(
        "| jump from the top to the oldest revision (End), until its row is painted | {:.1} ms |",
        median(jump)
    );
    println!(
        "| memory of the running app with the timeline shown, at rest before scrolling (PSS, all its processes) | {:.0} MiB |",
        median(shown_memory)
    );
    let parts: Vec<String> = by_process
        .into_iter()
        .map(|(name, v)| format!("{name} {:.0}", median(v)))
        .collect();
    println!(
        "| memory of the running app after scrolling it all, PSS of the app and WebKit's processes ({}) | {:.0} MiB |",
        parts.join(", "),
        median(memory)
    );
}
