//! What the log says about operations, the same from every front end: connection attempts and
//! why they failed, a run's plan and each step's time. The engine only emits events; the app
//! and the CLI decide where they go.
//!
//! A log is read by whoever support asks for it, so it must never hold a password: databases
//! are named by `DatabaseUrl`'s `Display` (which leaves the password out), and the SQL a
//! revision sends is never logged (a revision may create a user with its password).

use std::sync::Arc;
use std::time::{Duration, Instant};

use stratum_db::{elapsed_ms, Connection, DatabaseUrl, DbError, Progress, RunOptions};

/// Connects to `url`, logging the attempt, how long it took and, when it failed, why.
pub async fn connect(url: &DatabaseUrl, timeout: Duration) -> Result<Connection, DbError> {
    let started = Instant::now();
    tracing::debug!(db = %url, tls = ?url.tls, "connecting");
    match Connection::connect(url, timeout).await {
        Ok(conn) => {
            tracing::debug!(db = %url, ms = elapsed_ms(started), "connected");
            Ok(conn)
        }
        Err(e) => {
            tracing::warn!(db = %url, ms = elapsed_ms(started), error = %e, "connection failed");
            Err(e)
        }
    }
}

/// `opts` with the run's plan and every step's time logged, before the caller's own listener
/// hears of them.
pub fn logged(opts: RunOptions) -> RunOptions {
    let inner = opts.progress.clone();
    RunOptions {
        progress: Some(Arc::new(move |p: &Progress| {
            log_progress(p);
            if let Some(f) = &inner {
                f(p);
            }
        })),
        ..opts
    }
}

fn log_progress(p: &Progress) {
    match p {
        Progress::Planned { steps, rows } => {
            tracing::info!(steps, rows = %rows.join(","), "planned");
        }
        Progress::StepStarted {
            index,
            total,
            revision,
            direction,
        } => {
            tracing::debug!(step = index + 1, total, %revision, ?direction, "step started");
        }
        Progress::StepFinished {
            index,
            revision,
            millis,
        } => {
            tracing::info!(step = index + 1, %revision, ms = millis, "step finished");
        }
        Progress::LockWait { holder } => {
            tracing::info!(%holder, "waiting for the migration lock");
        }
        // Statements and a tool's output are the project's text, not ours to copy into a log.
        _ => {}
    }
}

/// A database as the log names it: a stored URL (kept without its password) parsed and shown
/// without one, in case a password was written into it by hand.
pub fn shown(stored_url: &str) -> String {
    DatabaseUrl::parse(stored_url)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| "(unreadable URL)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_is_named_without_its_password() {
        let named = shown("mysql://app:hunter2@db.example:3306/erp");
        assert_eq!(named, "mysql://app@db.example:3306/erp");
        assert!(!shown("not a url hunter2").contains("hunter2"));
    }
}
