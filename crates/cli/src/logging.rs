//! Where the command line's log goes: the desktop app's rotating file in its data folder (so
//! support finds a script's runs beside the window's), and with `--verbose` stderr too. The
//! engine's events at debug level; other crates' warnings only, since a driver's debug output
//! is noise and may carry a statement's text.

use std::path::Path;

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt;
use tracing_subscriber::prelude::*;

/// A day's file, `stratum.log.YYYY-MM-DD`: two weeks of them are kept.
const FILE_PREFIX: &str = "stratum.log";
const FILES_KEPT: usize = 14;

/// Logs to the rotating file in `log_dir` (when it can be written: a read-only data folder
/// must not stop a command) and, when `verbose`, to stderr.
pub fn init(log_dir: Option<&Path>, verbose: bool) {
    let file = log_dir.and_then(|dir| match rolling_file(dir) {
        Ok(w) => Some(w),
        Err(e) => {
            if verbose {
                eprintln!("(no log file in {}: {e})", dir.display());
            }
            None
        }
    });
    let file_layer = file.map(|w| {
        fmt::layer()
            .with_ansi(false)
            .with_writer(w)
            .with_filter(ours())
    });
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
}

fn ours() -> Targets {
    Targets::new()
        .with_target("stratum", LevelFilter::DEBUG)
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
