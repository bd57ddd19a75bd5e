//! The check-up: the seed's `verify_migration.py`, as a list of items each passed, warning or
//! failed with what to do. It reads the live database (rows, schema, drift against what the
//! revisions build on a scratch database) and, for a profile, the evidence in the store: the
//! last backup and the rehearsals of the pending revisions.

use std::time::Duration;

use serde::Serialize;
use stratum_alembic::{RenderCache, RenderFailure};
use stratum_db::{DatabaseUrl, Runner, VersionTable};
use stratum_project::Project;
use stratum_store::{BackupEntry, CheckupRecord, RehearsalRecord, Store};
use tracing::Instrument;

use crate::files::{current_checksums, same_files};
use crate::findings::revision_findings;
use crate::{OperationError, Target};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A backup older than this is not the one to restore after a failed upgrade.
const BACKUP_FRESH_HOURS: i64 = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Passed,
    Warning,
    Failed,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Warning => "warning",
            Verdict::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CheckupItem {
    /// heads, rows, drift, tenant-audit, safety-checks, backup or rehearsal.
    pub key: &'static str,
    pub title: &'static str,
    pub verdict: Verdict,
    /// What was found, in words.
    pub detail: String,
    /// What to do about it ("" when it passed).
    pub action: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Checkup {
    pub verdict: Verdict,
    pub rows: Vec<String>,
    pub pending: Vec<String>,
    pub items: Vec<CheckupItem>,
}

impl Checkup {
    pub fn count(&self, v: Verdict) -> usize {
        self.items.iter().filter(|i| i.verdict == v).count()
    }

    /// The check-up in short, as the store keeps it for the fleet view.
    pub fn record(&self, profile_id: i64) -> CheckupRecord {
        let count = |v| i64::try_from(self.count(v)).unwrap_or(i64::MAX);
        CheckupRecord {
            profile_id,
            at: Store::now(),
            verdict: self.verdict.word().into(),
            failed: count(Verdict::Failed),
            warnings: count(Verdict::Warning),
            summary: self.summary(),
        }
    }

    /// The items that did not pass, one line each.
    pub fn summary(&self) -> String {
        let open: Vec<String> = self
            .items
            .iter()
            .filter(|i| i.verdict != Verdict::Passed)
            .map(|i| format!("{}: {}", i.title, i.detail))
            .collect();
        if open.is_empty() {
            format!("all {} items passed", self.items.len())
        } else {
            open.join("; ")
        }
    }
}

/// What the store knows of a profile that the database cannot say.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub last_backup: Option<BackupEntry>,
    /// Newest first.
    pub rehearsals: Vec<RehearsalRecord>,
}

fn item(
    key: &'static str,
    title: &'static str,
    verdict: Verdict,
    detail: String,
    action: &str,
) -> CheckupItem {
    CheckupItem {
        key,
        title,
        verdict,
        detail,
        action: if verdict == Verdict::Passed {
            String::new()
        } else {
            action.to_string()
        },
    }
}

/// Checks up on the database at `url` for `project`, whose SQL is in place (an Alembic
/// project's rendered; `unrendered` what could not be). Without `evidence` (no profile), the
/// backup and rehearsal items are left out.
pub async fn checkup(
    url: &DatabaseUrl,
    project: &Project,
    runner: &dyn Runner,
    unrendered: &[RenderFailure],
    evidence: Option<&Evidence>,
) -> Result<Checkup, OperationError> {
    let span = tracing::info_span!("checkup", db = %url);
    async {
        let started = std::time::Instant::now();
        let c = checkup_unlogged(url, project, runner, unrendered, evidence).await;
        match &c {
            Ok(c) => {
                for i in &c.items {
                    tracing::debug!(item = i.key, verdict = i.verdict.word(), detail = %i.detail, "checked");
                }
                tracing::info!(
                    verdict = c.verdict.word(),
                    ms = stratum_db::elapsed_ms(started),
                    "check-up finished"
                );
            }
            Err(e) => tracing::warn!(error = %e, "check-up could not run"),
        }
        c
    }
    .instrument(span)
    .await
}

async fn checkup_unlogged(
    url: &DatabaseUrl,
    project: &Project,
    runner: &dyn Runner,
    unrendered: &[RenderFailure],
    evidence: Option<&Evidence>,
) -> Result<Checkup, OperationError> {
    let vt = VersionTable::from_config(&project.config);
    let mut conn = crate::connect(url, CONNECT_TIMEOUT).await?;
    let rows = match conn.version_rows(&vt).await {
        Ok(rows) => rows,
        Err(e) => {
            conn.close().await;
            return Err(e.into());
        }
    };
    let live = stratum_schema::introspect(&mut conn).await;
    conn.close().await;
    let mut items = Vec::new();
    let pending = match project.map.pending(&rows) {
        Ok(p) => p,
        Err(e) => {
            items.push(heads_item(project, &rows, None));
            items.push(item(
                "rows",
                "Version rows known",
                Verdict::Failed,
                e.to_string(),
                "Open the project the database was upgraded with (a newer release, another branch), or restore the backup taken before",
            ));
            return Ok(finish(rows, Vec::new(), items));
        }
    };
    items.push(heads_item(project, &rows, Some(&pending)));
    items.push(item(
        "rows",
        "Version rows known",
        Verdict::Passed,
        match (rows.is_empty(), pending.len()) {
            (true, _) => format!("at base, {} revision(s) to apply", pending.len()),
            (false, 0) => format!("at {}, up to date", rows.join(", ")),
            (false, n) => format!("at {}, {n} revision(s) to apply", rows.join(", ")),
        },
        "",
    ));
    items.push(drift_item(url, project, runner).await);
    items.push(match live {
        Ok(s) => tenant_item(&stratum_schema::tenant_audit(
            &s,
            &project.config.checks,
            &vt.name,
        )),
        Err(e) => item(
            "tenant-audit",
            "Tenant audit",
            Verdict::Warning,
            format!("the schema could not be read: {e}"),
            "Check that the database user may read the catalog",
        ),
    });
    items.push(findings_item(project, url, &pending, unrendered)?);
    if let Some(ev) = evidence {
        items.push(backup_item(ev.last_backup.as_ref(), !pending.is_empty()));
        items.push(rehearsal_item(project, &pending, &ev.rehearsals));
    }
    Ok(finish(rows, pending, items))
}

fn finish(rows: Vec<String>, pending: Vec<String>, items: Vec<CheckupItem>) -> Checkup {
    Checkup {
        verdict: items
            .iter()
            .map(|i| i.verdict)
            .max()
            .unwrap_or(Verdict::Passed),
        rows,
        pending,
        items,
    }
}

fn heads_item(project: &Project, rows: &[String], pending: Option<&Vec<String>>) -> CheckupItem {
    let heads = project.map.heads();
    let title = "One head";
    if heads.len() <= 1 {
        return item(
            "heads",
            title,
            Verdict::Passed,
            format!("the project has one head ({})", heads.join("")),
            "",
        );
    }
    if pending.is_some_and(|p| p.is_empty()) && !rows.is_empty() {
        return item(
            "heads",
            title,
            Verdict::Passed,
            format!(
                "the project has {} heads and the database is at all of them",
                heads.len()
            ),
            "",
        );
    }
    item(
        "heads",
        title,
        Verdict::Failed,
        format!(
            "the project has {} heads ({}) and the database is not at all of them",
            heads.len(),
            heads.join(", ")
        ),
        "Merge the heads (Merge heads, or `stratum merge`) so every database ends at one revision",
    )
}

async fn drift_item(url: &DatabaseUrl, project: &Project, runner: &dyn Runner) -> CheckupItem {
    let title = "No drift";
    match stratum_schema::drift(url, project, runner).await {
        Ok(d) if d.differences.is_empty() => item(
            "drift",
            title,
            Verdict::Passed,
            "the schema is what its revisions produce".into(),
            "",
        ),
        Ok(d) => item(
            "drift",
            title,
            Verdict::Failed,
            format!(
                "{} object(s) differ from what the revisions produce: {}",
                d.differences.len(),
                d.differences
                    .iter()
                    .take(3)
                    .map(|x| x.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            "Find who changed the schema by hand; put the change in a revision, or undo it",
        ),
        Err(e) => item(
            "drift",
            title,
            Verdict::Warning,
            format!("drift could not be checked: {e}"),
            "Check that the database user may create a scratch database beside this one",
        ),
    }
}

fn tenant_item(found: &[stratum_schema::AuditFinding]) -> CheckupItem {
    let title = "Tenant audit";
    let unscoped: Vec<&str> = found
        .iter()
        .filter(|f| f.rule == "no-tenant-column")
        .map(|f| f.table.as_str())
        .collect();
    let others: Vec<&str> = found
        .iter()
        .filter(|f| f.rule != "no-tenant-column")
        .map(|f| f.message.as_str())
        .collect();
    if !unscoped.is_empty() {
        return item(
            "tenant-audit",
            title,
            Verdict::Failed,
            format!("without the tenant column: {}", unscoped.join(", ")),
            "Add the tenant column in a revision (or name the tenants' own table in [checks] tenant_table)",
        );
    }
    if !others.is_empty() {
        return item(
            "tenant-audit",
            title,
            Verdict::Warning,
            others.join("; "),
            "Review each: a cascading delete can remove another tenant's rows, an unindexed foreign key slows deletes",
        );
    }
    item(
        "tenant-audit",
        title,
        Verdict::Passed,
        "every table has the tenant column, no cascading deletes, every foreign key indexed".into(),
        "",
    )
}

fn findings_item(
    project: &Project,
    url: &DatabaseUrl,
    pending: &[String],
    unrendered: &[RenderFailure],
) -> Result<CheckupItem, OperationError> {
    let title = "Safety checks acknowledged";
    if pending.is_empty() {
        return Ok(item(
            "safety-checks",
            title,
            Verdict::Passed,
            "nothing to apply".into(),
            "",
        ));
    }
    let found = revision_findings(project, pending, url.dialect(), unrendered)?;
    let blocking: Vec<String> = found
        .iter()
        .filter(|f| f.blocks())
        .map(|f| format!("{} {} ({}:{})", f.rule, f.message, f.file, f.line))
        .collect();
    let review = found.iter().filter(|f| !f.blocks()).count();
    Ok(if blocking.is_empty() {
        item(
            "safety-checks",
            title,
            Verdict::Passed,
            match review {
                0 => "no findings in the pending revisions".to_string(),
                n => format!("no blocking finding unacknowledged; {n} to review"),
            },
            "",
        )
    } else {
        item(
            "safety-checks",
            title,
            Verdict::Failed,
            format!(
                "{} blocking finding(s) not acknowledged: {}",
                blocking.len(),
                blocking.join("; ")
            ),
            "Fix the SQL, or acknowledge each with `-- stratum: allow RULE REASON` above the statement",
        )
    })
}

fn backup_item(last: Option<&BackupEntry>, pending: bool) -> CheckupItem {
    let title = "Recent backup";
    let action = "Take a backup (Back up now) before applying the pending revisions";
    match last {
        None if pending => item(
            "backup",
            title,
            Verdict::Failed,
            "no backup of this database, and revisions are pending".into(),
            action,
        ),
        None => item(
            "backup",
            title,
            Verdict::Warning,
            "no backup of this database yet".into(),
            action,
        ),
        Some(b) => {
            let hours = crate::fleet::age(&b.at).map_or(i64::MAX, |s| s.age_seconds / 3600);
            let detail = format!("last backup {} ({})", b.at, ago(hours));
            if pending && hours >= BACKUP_FRESH_HOURS {
                item("backup", title, Verdict::Warning, detail, action)
            } else {
                item("backup", title, Verdict::Passed, detail, "")
            }
        }
    }
}

fn ago(hours: i64) -> String {
    match hours {
        h if h < 1 => "less than an hour ago".into(),
        h if h < 48 => format!("{h} h ago"),
        h => format!("{} days ago", h / 24),
    }
}

/// What the kept rehearsals say of exactly these files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rehearsed {
    /// The newest rehearsal of these files passed (when).
    Passed(String),
    /// The newest rehearsal of these files failed (when, its summary).
    Failed(String, String),
    /// These revisions were rehearsed, but their files changed since (when).
    Changed(String),
    Never,
}

/// Whether `wanted` (revision, SHA-256 now) were all rehearsed together, newest first.
pub fn rehearsed(rehearsals: &[RehearsalRecord], wanted: &[(String, String)]) -> Rehearsed {
    let mut changed = None;
    for r in rehearsals {
        let same = same_files(&r.files, wanted).count();
        if same == wanted.len() {
            return if r.result == "passed" {
                Rehearsed::Passed(r.at.clone())
            } else {
                Rehearsed::Failed(r.at.clone(), r.summary.clone())
            };
        }
        let named = wanted
            .iter()
            .all(|(rev, _)| r.files.lines().any(|l| l.split(' ').next() == Some(rev)));
        if named && changed.is_none() {
            changed = Some(r.at.clone());
        }
    }
    changed.map_or(Rehearsed::Never, Rehearsed::Changed)
}

fn rehearsal_item(
    project: &Project,
    pending: &[String],
    rehearsals: &[RehearsalRecord],
) -> CheckupItem {
    let title = "Pending revisions rehearsed";
    let action = "Rehearse the upgrade (More → Rehearse upgrade, or `stratum rehearse`)";
    if pending.is_empty() {
        return item(
            "rehearsal",
            title,
            Verdict::Passed,
            "nothing to apply".into(),
            "",
        );
    }
    match rehearsed(rehearsals, &current_checksums(project, pending)) {
        Rehearsed::Passed(at) => item(
            "rehearsal",
            title,
            Verdict::Passed,
            format!("a rehearsal of these files passed on {at}"),
            "",
        ),
        Rehearsed::Failed(at, summary) => item(
            "rehearsal",
            title,
            Verdict::Failed,
            format!("the rehearsal on {at} failed: {summary}"),
            "Fix the revision the rehearsal names, then rehearse again",
        ),
        Rehearsed::Changed(at) => item(
            "rehearsal",
            title,
            Verdict::Warning,
            format!("rehearsed on {at}, but the files have changed since"),
            action,
        ),
        Rehearsed::Never => item(
            "rehearsal",
            title,
            Verdict::Warning,
            format!("{} pending revision(s) never rehearsed", pending.len()),
            action,
        ),
    }
}

/// Checks up on a profile's database with its evidence, and keeps the result for the fleet
/// view.
pub async fn checkup_profile(
    store: &Store,
    target: &mut Target,
    renders: &RenderCache,
) -> Result<Checkup, OperationError> {
    let unrendered = target.with_sql(renders, store).await?;
    let evidence = Evidence {
        last_backup: store
            .backups(Some(target.profile.id))
            .await?
            .into_iter()
            .next(),
        rehearsals: store.rehearsals(target.profile.id).await?,
    };
    let runner = target.runner()?;
    let c = checkup(
        &target.url,
        &target.project,
        runner.as_ref(),
        &unrendered,
        Some(&evidence),
    )
    .await?;
    store.record_checkup(&c.record(target.profile.id)).await?;
    Ok(c)
}
