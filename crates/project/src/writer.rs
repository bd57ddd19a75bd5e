use std::path::{Path, PathBuf};

use crate::ProjectError;

/// A new revision or merge file to write.
#[derive(Debug, Clone, Default)]
pub struct NewRevision {
    pub id: String,
    pub down_revisions: Vec<String>,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
    pub message: String,
    pub created: String,
    pub up: String,
    pub down: String,
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
        out.push_str(&format!("-- created: {}\n\n", self.created));
        out.push_str("-- migrate:up\n");
        out.push_str(&self.up);
        if !self.up.is_empty() && !self.up.ends_with('\n') {
            out.push('\n');
        }
        out.push_str("\n-- migrate:down\n");
        out.push_str(&self.down);
        if !self.down.is_empty() && !self.down.ends_with('\n') {
            out.push('\n');
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
