//! Where the command line's log goes: the desktop app's rotating file in its data folder (so
//! support finds a script's runs beside the window's), and with `--verbose` stderr too. The
//! engine's events at debug level; other crates' warnings only, since a driver's debug output
//! is noise and may carry a statement's text.

use std::path::Path;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt;
use tracing_subscriber::prelude::*;

/// A day's file, `stratum.log.YYYY-MM-DD`: two weeks of them are kept.
const FILE_PREFIX: &str = "stratum.log";
const FILES_KEPT: usize = 14;
/// Lines waiting for the log's writer thread.
const QUEUED_LINES: usize = 1024;

/// Logs to the rotating file in `log_dir` (when it can be written: a read-only data folder
/// must not stop a command) and, when `verbose`, to stderr. The file is written by a thread of
/// its own, since a run logs two lines per revision and writing each as it came cost a
/// 1,000-revision SQLite upgrade 6-10% of its time; what is queued is written when the
/// returned guard drops, so keep it until the process ends.
pub fn init(log_dir: Option<&Path>, verbose: bool) -> Option<WorkerGuard> {
    let file = log_dir.and_then(|dir| match rolling_file(dir) {
        Ok(w) => Some(w),
        Err(e) => {
            if verbose {
                eprintln!("(no log file in {}: {e})", dir.display());
            }
            None
        }
    });
    let (file_layer, guard) = match file {
        Some(w) => {
            // A short queue: the default of 128,000 lines is allocated up front, which cost
            // every command more at start than the writes it saves. When the queue is full the
            // command waits for the file rather than lose a line.
            let (w, guard) = NonBlockingBuilder::default()
                .buffered_lines_limit(QUEUED_LINES)
                .lossy(false)
                .finish(w);
            let layer = fmt::layer()
                .with_ansi(false)
                .with_writer(w)
                .with_filter(ours());
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    let stderr_layer = verbose.then(|| {
        fmt::layer()
            .with_ansi(false)
            .with_writer(std::io::stderr)
            .with_filter(ours())
    });
    let subscriber = tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer);
    // Set once, at start: a second call could only come from a test, and changes nothing.
    let _ = tracing::subscriber::set_global_default(subscriber);
    guard
}

fn ours() -> Targets {
    Targets::new()
        .with_target("stratum", LevelFilter::DEBUG)
        // sqlx's record of a statement carries its text; the connections turn it off, and
        // this keeps it out should one not.
        .with_target("sqlx::query", LevelFilter::OFF)
        .with_default(LevelFilter::WARN)
}

fn rolling_file(dir: &Path) -> Result<RollingFileAppender, String> {
    // Made first: the appender looks for old files to prune before it creates the folder, and
    // says so on stderr when there is none.
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(FILE_PREFIX)
        .max_log_files(FILES_KEPT)
        .build(dir)
        .map_err(|e| e.to_string())
}
