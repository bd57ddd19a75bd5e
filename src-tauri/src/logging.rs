//! The app's log: a rotating file in `logs` of its data folder (the command line writes the
//! same file), with every operation's steps and timings, for support to ask for. The engine's
//! events at debug level; other crates' warnings only (WebKit's and a driver's chatter is not
//! what support needs, and a driver's debug output may carry a statement's text).

use std::path::{Path, PathBuf};

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt;
use tracing_subscriber::prelude::*;

/// A day's file, `stratum.log.YYYY-MM-DD`: two weeks of them are kept.
const FILE_PREFIX: &str = "stratum.log";
const FILES_KEPT: usize = 14;

/// Where the log files are, in the data folder.
pub fn log_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

/// Starts writing the log into `data_dir`'s log folder. A folder that cannot be written costs
/// the log, never the app: the reason goes to stderr.
pub fn init(data_dir: &Path) {
    let dir = log_dir(data_dir);
    // Made first: the appender looks for old files to prune before it creates the folder, and
    // says so on stderr when there is none.
    let file = std::fs::create_dir_all(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            RollingFileAppender::builder()
                .rotation(Rotation::DAILY)
                .filename_prefix(FILE_PREFIX)
                .max_log_files(FILES_KEPT)
                .build(&dir)
                .map_err(|e| e.to_string())
        });
    let file = match file {
        Ok(file) => file,
        Err(e) => {
            eprintln!("stratum: no log file in {}: {e}", dir.display());
            return;
        }
    };
    let layer = fmt::layer().with_ansi(false).with_writer(file).with_filter(
        Targets::new()
            .with_target("stratum", LevelFilter::DEBUG)
            // A statement's text, which sqlx records when it is slow, may hold a password.
            .with_target("sqlx::query", LevelFilter::OFF)
            .with_default(LevelFilter::WARN),
    );
    // Set once per process; a second window in the same process keeps the first's log.
    let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer));
    tracing::info!(
        version = stratum_store::VERSION,
        os = std::env::consts::OS,
        arch = std::env::consts::ARCH,
        "Stratum app started"
    );
}
