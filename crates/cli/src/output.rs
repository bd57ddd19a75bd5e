use std::io::Write;

use serde::Serialize;
use serde_json::json;

use crate::error::CliError;

/// Where results go: text for people, or one JSON document on stdout.
pub struct Out {
    pub json: bool,
}

impl Out {
    /// Prints `value` as JSON, or the text from `human`.
    pub fn result<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
        if self.json {
            match serde_json::to_string_pretty(value) {
                Ok(s) => println!("{s}"),
                Err(e) => eprintln!("stratum: cannot write JSON: {e}"),
            }
        } else {
            let text = human();
            if !text.is_empty() {
                println!("{}", text.trim_end_matches('\n'));
            }
        }
    }

    /// Prints `text` exactly (for SQL, whose trailing blank line is part of Alembic's shape), or
    /// `value` as JSON.
    pub fn raw<T: Serialize>(&self, value: &T, text: &str) {
        if self.json {
            self.result(value, String::new);
        } else {
            print!("{text}");
        }
    }

    pub fn error(&self, e: &CliError) {
        // The JSON document is already out; a second one would make stdout unreadable.
        if self.json && matches!(e, CliError::Blocked(_)) {
            return;
        }
        if self.json {
            let mut err = json!({ "kind": e.kind(), "message": e.to_string() });
            if let CliError::RunFailed { failure, .. } = e {
                err["failure"] = serde_json::to_value(failure).unwrap_or_default();
            }
            println!("{}", json!({ "ok": false, "error": err }));
        } else {
            eprintln!("stratum: error: {e}");
        }
    }
}

/// Writes one line of progress to stderr in a single write. `eprintln!` writes each piece of
/// its format separately on the unbuffered stderr: a 1,000-revision run printed its progress
/// in 10,000 writes, each waking whoever reads the pipe.
pub fn say(line: impl std::fmt::Display) {
    let mut text = line.to_string();
    text.push('\n');
    // A closed stderr is no reason to stop a migration.
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
