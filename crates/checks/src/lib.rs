//! Safety checks over revision SQL: what a revision would do that a team should look at before
//! it runs on a production database.
//!
//! Statements are read with a real SQL parser (sqlparser-rs). A statement it cannot read
//! (PL/pgSQL bodies, triggers, other vendor syntax) is skipped rather than guessed at, so a
//! check never reports what the SQL does not say.
//!
//! A finding is acknowledged by a comment directly above its statement (or on its first line):
//! `-- stratum: allow drop-table,truncate <reason>`. The reason is required.

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;
use stratum_project::{ChecksSection, Dialect, Statement};

mod ack;
mod parse;
mod project;
mod rules;

pub use project::{check_file, check_revisions};

#[cfg(test)]
mod tests;

use ack::AckState;

/// One revision's SQL, as the checks need it.
pub struct RevisionSql<'a> {
    pub revision: &'a str,
    pub file: &'a Path,
    /// The whole file text: acknowledgement comments are read from it by line number.
    pub text: &'a str,
    pub dialect: Dialect,
    pub up: &'a [Statement],
    /// None when the revision has no downgrade section at all; Some(empty) when the section
    /// exists but is empty.
    pub down: Option<&'a [Statement]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Blocking,
}

/// Something in a revision's SQL to look at before running it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Finding {
    pub revision: String,
    /// The file path as displayed.
    pub file: String,
    /// The statement's line, the `-- migrate:down` line, or 1 for a missing downgrade.
    pub line: usize,
    /// The rule id (kebab-case, one of [`RULES`]).
    pub rule: &'static str,
    pub severity: Severity,
    /// What the SQL does, naming the table or column.
    pub message: String,
    /// Why it matters, in one sentence.
    pub why: String,
    /// The reason written in the file, when the finding is acknowledged.
    pub acknowledged: Option<String>,
}

impl Finding {
    /// Whether this finding stops a run: blocking and not acknowledged.
    pub fn blocks(&self) -> bool {
        self.severity == Severity::Blocking && self.acknowledged.is_none()
    }
}

/// Every rule: id, default severity, and a one-line description.
pub const RULES: &[(&str, Severity, &str)] = &[
    (
        "drop-table",
        Severity::Blocking,
        "DROP TABLE in the upgrade deletes a table and all its rows",
    ),
    (
        "drop-column",
        Severity::Blocking,
        "ALTER TABLE ... DROP COLUMN in the upgrade deletes a column and its data",
    ),
    (
        "truncate",
        Severity::Blocking,
        "TRUNCATE in the upgrade deletes every row of a table",
    ),
    (
        "update-without-where",
        Severity::Blocking,
        "UPDATE without a WHERE clause changes every row",
    ),
    (
        "delete-without-where",
        Severity::Blocking,
        "DELETE without a WHERE clause deletes every row",
    ),
    (
        "missing-tenant-filter",
        Severity::Blocking,
        "UPDATE or DELETE whose WHERE has no condition on a tenant column",
    ),
    (
        "table-without-tenant",
        Severity::Warning,
        "CREATE TABLE without any of the tenant columns",
    ),
    (
        "index-not-concurrent",
        Severity::Warning,
        "PostgreSQL CREATE INDEX without CONCURRENTLY on an existing table blocks writes",
    ),
    (
        "cascade-delete",
        Severity::Warning,
        "a foreign key with ON DELETE CASCADE deletes child rows silently",
    ),
    (
        "missing-downgrade",
        Severity::Warning,
        "the revision has no downgrade, or an empty one",
    ),
    (
        "lossy-downgrade",
        Severity::Warning,
        "the downgrade drops a table or column, losing data written since the upgrade",
    ),
    (
        "sql-unavailable",
        Severity::Warning,
        "an Alembic revision whose SQL Alembic's offline mode cannot render, so no rule could read it",
    ),
];

/// The finding for an Alembic revision the checks could not read: its Python fails in
/// Alembic's offline mode (`reason`), so nothing above was checked for it.
pub fn unavailable(
    revision: &str,
    file: &Path,
    line: usize,
    reason: &str,
    config: &ChecksSection,
) -> Option<Finding> {
    Some(Finding {
        revision: revision.to_string(),
        file: file.display().to_string(),
        line,
        rule: "sql-unavailable",
        severity: severity("sql-unavailable", config)?,
        message: format!("Alembic's offline mode cannot render this revision's SQL: {reason}"),
        why: "The safety checks read SQL; this revision's was not seen, so review its Python by hand before it runs.".into(),
        acknowledged: None,
    })
}

/// Rule ids named in `[checks]` that no rule has, in the order written, each once.
pub fn unknown_rules(config: &ChecksSection) -> Vec<String> {
    let mut seen = HashSet::new();
    config
        .disable
        .iter()
        .chain(&config.warn)
        .chain(&config.block)
        .filter(|id| !RULES.iter().any(|(rule, _, _)| rule == id))
        .filter(|id| seen.insert(id.as_str()))
        .cloned()
        .collect()
}

/// The severity of `rule` under `config`, or `None` when it is disabled. `block` wins over
/// `warn` when a rule is in both: the stricter reading is the safe one.
fn severity(rule: &str, config: &ChecksSection) -> Option<Severity> {
    let listed = |ids: &[String]| ids.iter().any(|id| id == rule);
    if listed(&config.disable) {
        return None;
    }
    if listed(&config.block) {
        return Some(Severity::Blocking);
    }
    if listed(&config.warn) {
        return Some(Severity::Warning);
    }
    RULES
        .iter()
        .find(|(id, _, _)| *id == rule)
        .map(|(_, default, _)| *default)
}

/// Checks one revision. Findings come sorted by line, then rule id.
pub fn check_revision(rev: &RevisionSql, config: &ChecksSection) -> Vec<Finding> {
    let lines: Vec<&str> = rev.text.lines().collect();
    // (line, finding, acknowledgements that may apply)
    let mut raws: Vec<(usize, rules::Raw, Vec<ack::Ack>)> = Vec::new();
    let mut ctx = rules::Context {
        dialect: rev.dialect,
        tenant_columns: &config.tenant_columns,
        created: HashSet::new(),
        tenant_roots: HashSet::new(),
    };

    for stmt in rev.up {
        for parsed in parse::parse(&stmt.sql, rev.dialect).unwrap_or_default() {
            for raw in rules::upgrade(&parsed, &mut ctx) {
                raws.push((stmt.line, raw, ack::for_statement(&lines, stmt)));
            }
        }
    }
    for stmt in rev.down.unwrap_or_default() {
        for parsed in parse::parse(&stmt.sql, rev.dialect).unwrap_or_default() {
            for raw in rules::downgrade(&parsed, &ctx) {
                raws.push((stmt.line, raw, ack::for_statement(&lines, stmt)));
            }
        }
    }
    if let Some(t) = &config.tenant_table {
        ctx.tenant_roots.insert(t.to_lowercase());
    }
    raws.retain(|(_, raw, _)| {
        !(raw.rule == "table-without-tenant"
            && raw
                .new_table
                .as_ref()
                .is_some_and(|t| ctx.tenant_roots.contains(t)))
    });
    group_new_tables_dropped(&mut raws);
    if !rev.up.is_empty() && rev.down.is_none_or(<[Statement]>::is_empty) {
        let (line, message) = match rev.down {
            None => (1, "the revision has no downgrade section".to_string()),
            Some(_) => (
                down_marker_line(&lines, rev.dialect).unwrap_or(1),
                "the revision's downgrade section is empty".to_string(),
            ),
        };
        raws.push((
            line,
            rules::Raw {
                rule: "missing-downgrade",
                message,
                why: "Without a downgrade the revision cannot be rolled back; write one, or acknowledge why it cannot be undone.".into(),
                new_table: None,
            },
            ack::for_revision(&lines),
        ));
    }

    let mut findings: Vec<Finding> = raws
        .into_iter()
        .filter_map(|(line, raw, acks)| {
            let severity = severity(raw.rule, config)?;
            let (acknowledged, message) = match ack::resolve(&acks, raw.rule) {
                AckState::Reason(reason) => (Some(reason), raw.message),
                AckState::WithoutReason => (
                    None,
                    format!("{} (the acknowledgement needs a reason)", raw.message),
                ),
                AckState::None => (None, raw.message),
            };
            Some(Finding {
                revision: rev.revision.to_string(),
                file: rev.file.display().to_string(),
                line,
                rule: raw.rule,
                severity,
                message,
                why: raw.why,
                acknowledged,
            })
        })
        .collect();
    findings.sort_by(|a, b| (a.line, a.rule).cmp(&(b.line, b.rule)));
    findings
}

/// A downgrade that drops the tables its own upgrade created loses only rows written since:
/// one finding for all of them, at the first, instead of one per table.
fn group_new_tables_dropped(raws: &mut Vec<(usize, rules::Raw, Vec<ack::Ack>)>) {
    let is_new = |raw: &rules::Raw| raw.rule == "lossy-downgrade" && raw.new_table.is_some();
    let Some(first) = raws.iter().position(|(_, raw, _)| is_new(raw)) else {
        return;
    };
    let (grouped, kept): (Vec<_>, Vec<_>) = raws.drain(..).partition(|(_, raw, _)| is_new(raw));
    let names: Vec<String> = grouped
        .iter()
        .filter_map(|(_, raw, _)| raw.new_table.clone())
        .collect();
    let line = grouped[0].0;
    let acks = grouped
        .iter()
        .flat_map(|(_, _, a)| a.iter().cloned())
        .collect();
    let (message, why) = match names.as_slice() {
        [one] => (
            format!("the downgrade drops table {one}, which this revision creates, with the rows written to it since"),
            "Nothing in it predates this revision, but whatever was written to it since the upgrade is lost when downgrading; take a backup first, or acknowledge that the data is disposable.",
        ),
        many => (
            format!(
                "the downgrade drops the {} tables this revision creates ({}), with the rows written to them since",
                many.len(),
                many.join(", ")
            ),
            "Nothing in them predates this revision, but whatever was written to them since the upgrade is lost when downgrading; take a backup first, or acknowledge that the data is disposable.",
        ),
    };
    *raws = kept;
    raws.insert(
        first.min(raws.len()),
        (
            line,
            rules::Raw {
                rule: "lossy-downgrade",
                message,
                why: why.into(),
                new_table: None,
            },
            acks,
        ),
    );
}

/// The line of the `-- migrate:down` marker that applies to `dialect`: its own, else the
/// plain one, else any.
fn down_marker_line(lines: &[&str], dialect: Dialect) -> Option<usize> {
    let markers: Vec<(usize, Option<&str>)> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| ack::is_section_marker(l) || l.starts_with("def downgrade"))
        .filter_map(|(i, l)| {
            // An Alembic revision's downgrade is its `def downgrade`.
            if l.starts_with("def downgrade") {
                return Some((i + 1, None));
            }
            let rest = l
                .trim()
                .trim_start_matches('-')
                .trim_start()
                .strip_prefix("migrate:down")?;
            if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
                return None;
            }
            Some((i + 1, rest.split_whitespace().next()))
        })
        .collect();
    let own = markers
        .iter()
        .find(|(_, d)| d.and_then(Dialect::from_name) == Some(dialect));
    let plain = markers.iter().find(|(_, d)| d.is_none());
    own.or(plain).or(markers.first()).map(|(line, _)| *line)
}
