use std::path::{Path, PathBuf};

use crate::{Dialect, ProjectError};

/// A new revision or merge file to write.
#[derive(Debug, Clone, Default)]
pub struct NewRevision {
    pub id: String,
    pub down_revisions: Vec<String>,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
    pub message: String,
    /// Empty: no `-- created:` line.
    pub created: String,
    pub up: String,
    pub down: String,
    /// Sections for one engine each (`-- migrate:up postgresql`), after the plain ones; the
    /// plain sections are left out when both are empty and there are such sections.
    pub dialect_bodies: Vec<(Dialect, String, String)>,
    /// `-- transaction: false`: the revision runs outside any transaction.
    pub outside_transaction: bool,
}

/// A fresh 12-hex-digit id, like Alembic's `uuid4().hex[-12:]`.
pub fn new_revision_id() -> String {
    let mut bytes = [0u8; 6];
    // The OS random source does not fail on supported platforms; a clock-based id would do
    // the same job if it ever did.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        bytes.copy_from_slice(&nanos.to_le_bytes()[..6]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Alembic's file-name slug: the message's words, lower-cased, joined by `_`, at most 40
/// characters (cut at a word boundary).
pub fn slug(message: &str) -> String {
    let words: Vec<String> = message
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    let s = words.join("_");
    if s.chars().count() <= 40 {
        return s;
    }
    let cut: String = s.chars().take(40).collect();
    match cut.rsplit_once('_') {
        Some((head, _)) => format!("{head}_"),
        None => cut,
    }
}

impl NewRevision {
    /// A merge point: it joins `parents`, and its sections say that it runs nothing.
    pub fn merge_point(parents: Vec<String>, message: String, created: String) -> NewRevision {
        NewRevision {
            id: new_revision_id(),
            down_revisions: parents,
            message,
            created,
            up: "-- Merge point: nothing to run.\n".into(),
            down: "-- Merge point: nothing to run.\n".into(),
            ..Default::default()
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("-- revision: {}\n", self.id));
        out.push_str(&format!(
            "-- down_revision: {}\n",
            self.down_revisions.join(", ")
        ));
        if !self.branch_labels.is_empty() {
            out.push_str(&format!(
                "-- branch_labels: {}\n",
                self.branch_labels.join(", ")
            ));
        }
        if !self.depends_on.is_empty() {
            out.push_str(&format!("-- depends_on: {}\n", self.depends_on.join(", ")));
        }
        let message = self.message.replace(['\r', '\n'], " ");
        out.push_str(&format!("-- message: {message}\n"));
        if !self.created.is_empty() {
            out.push_str(&format!("-- created: {}\n", self.created));
        }
        if self.outside_transaction {
            out.push_str("-- transaction: false\n");
        }
        let section = |out: &mut String, name: String, body: &str| {
            out.push_str(&format!("\n-- migrate:{name}\n"));
            out.push_str(body);
            if !body.is_empty() && !body.ends_with('\n') {
                out.push('\n');
            }
        };
        let plain = !(self.up.is_empty() && self.down.is_empty()) || self.dialect_bodies.is_empty();
        if plain {
            section(&mut out, "up".into(), &self.up);
            section(&mut out, "down".into(), &self.down);
        }
        for (d, up, down) in &self.dialect_bodies {
            section(&mut out, format!("up {d}"), up);
            section(&mut out, format!("down {d}"), down);
        }
        out
    }

    pub fn file_name(&self) -> String {
        let s = slug(&self.message);
        if s.is_empty() {
            format!("{}.sql", self.id)
        } else {
            format!("{}_{}.sql", self.id, s)
        }
    }

    /// Writes the file into `versions`, never over an existing one.
    pub fn write(&self, versions: &Path) -> Result<PathBuf, ProjectError> {
        let path = versions.join(self.file_name());
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => ProjectError::Exists { path: path.clone() },
                _ => ProjectError::io(&path, e),
            })?;
        std::io::Write::write_all(&mut f, self.render().as_bytes())
            .map_err(|e| ProjectError::io(&path, e))?;
        Ok(path)
    }
}
