//! Which version of a revision's file something was done with: its SHA-256, kept as one
//! `REVISION SHA256` line per revision in rehearsals and the audit log, so the check-up and the
//! release gate can ask whether exactly these files were proved before.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use stratum_project::Project;

/// The SHA-256 of a revision's file ("" when the file cannot be read).
pub fn file_sha256(project: &Project, revision: &str) -> String {
    project
        .file(revision)
        .and_then(|f| std::fs::read(&f.path).ok())
        .map(|bytes| format!("{:x}", Sha256::digest(bytes)))
        .unwrap_or_default()
}

/// `REVISION SHA256` lines for these revisions.
pub fn checksum_lines<'a>(
    project: &Project,
    revisions: impl IntoIterator<Item = &'a str>,
) -> String {
    revisions
        .into_iter()
        .map(|rev| format!("{rev} {}\n", file_sha256(project, rev)))
        .collect()
}

/// The revisions and checksums of stored `REVISION SHA256` lines.
pub fn parse_checksums(lines: &str) -> HashMap<&str, &str> {
    lines
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(_, sha)| !sha.is_empty())
        .collect()
}

/// The revisions whose files are now what they were when `lines` were written.
pub fn same_files<'a>(
    lines: &str,
    wanted: &'a [(String, String)],
) -> impl Iterator<Item = &'a str> + 'a {
    let known: HashMap<String, String> = parse_checksums(lines)
        .into_iter()
        .map(|(r, s)| (r.to_string(), s.to_string()))
        .collect();
    wanted
        .iter()
        .filter(move |(rev, sha)| known.get(rev).is_some_and(|k| k == sha))
        .map(|(rev, _)| rev.as_str())
}

/// Each revision with its file's checksum now.
pub fn current_checksums(project: &Project, revisions: &[String]) -> Vec<(String, String)> {
    revisions
        .iter()
        .map(|r| (r.clone(), file_sha256(project, r)))
        .collect()
}
