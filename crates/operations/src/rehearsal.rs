//! A rehearsal proves the seed's "upgrade and downgrade both work": on a scratch database of
//! the same engine, every step of the plan is upgraded, downgraded, and upgraded again, and
//! the schema after each downgrade must be exactly what it was before that step's upgrade.
//! The scratch database is dropped however the rehearsal ends.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use sha2::{Digest, Sha256};
use stratum_backup::{scratch_copy, Tools};
use stratum_db::{
    create_scratch, drop_scratch, elapsed_ms, quote, scratch_url, CancelToken, Connection,
    DatabaseUrl, Engine, Operation, Progress, RunOptions, Runner, VersionTable,
};
use stratum_graph::{Direction, Step};
use stratum_project::{Dialect, Project};
use stratum_schema::{diff, introspect, Difference, Schema};
use tracing::Instrument;

use crate::OperationError;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How the schema before a step's upgrade is named in the differences after its downgrade.
const BEFORE: &str = "before its upgrade";

/// What the scratch database starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Start {
    /// A schema-only copy of the live database at its version rows (SQLite: a copy of the file).
    Live,
    /// An empty database: every revision from the first.
    Base,
    /// A backup of the database restored into the scratch database, rows included: the data
    /// of a production database proved without copying it live.
    Backup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum StepResult {
    Passed,
    Failed,
}

/// Something a step's rehearsal proved wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Problem {
    /// upgrade-failed, downgrade-failed, upgrade-again-failed, left-behind, missing, changed,
    /// upgrade-again-differs, not-isolated or data-changed.
    pub kind: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RehearsedStep {
    pub revision: String,
    pub result: StepResult,
    pub problems: Vec<Problem>,
    pub upgrade_ms: u64,
    pub downgrade_ms: u64,
    pub upgrade_again_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Rehearsal {
    pub target: String,
    pub start: Start,
    /// Where it ran, in words.
    pub scratch: String,
    pub rows_before: Vec<String>,
    pub steps: Vec<RehearsedStep>,
    /// Plan steps never reached because an earlier one left the scratch database unusable.
    pub not_rehearsed: Vec<String>,
    /// What each step's upgrade and downgrade sent to the database, kept for an Alembic
    /// project's revisions that cannot render offline.
    #[serde(skip)]
    pub recorded: Vec<Recorded>,
    /// The engine it ran on, whose SQL `recorded` is.
    #[serde(skip)]
    pub dialect: Option<Dialect>,
    pub millis: u64,
}

/// The statements one revision sent while rehearsed, as scripts.
#[derive(Debug, Clone, Default)]
pub struct Recorded {
    pub revision: String,
    pub upgrade: String,
    pub downgrade: String,
}

impl Rehearsal {
    pub fn passed(&self) -> bool {
        self.not_rehearsed.is_empty() && self.steps.iter().all(|s| s.result == StepResult::Passed)
    }
}

/// Hears each step as its rehearsal ends (the window's channel, the CLI's progress lines).
pub type HearStep = std::sync::Arc<dyn Fn(&RehearsedStep) + Send + Sync>;

/// How to rehearse, and who hears each step as it ends.
#[derive(Clone, Default)]
pub struct RehearsalOptions {
    pub start: Option<Start>,
    /// Also prove that each downgrade keeps the rows of the tables that were there before its
    /// upgrade (counts and checksums); a live start then copies the rows too.
    pub with_data: bool,
    /// The backup a [`Start::Backup`] rehearsal restores.
    pub backup: Option<PathBuf>,
    pub cancel: CancelToken,
    pub each: Option<HearStep>,
}

/// Rehearses `upgrade target` from the live database's rows (or from base) on a scratch copy.
pub async fn rehearse(
    url: &DatabaseUrl,
    project: &Project,
    target: &str,
    runner: &dyn Runner,
    tools: &Tools,
    opts: &RehearsalOptions,
) -> Result<Rehearsal, OperationError> {
    let span = tracing::info_span!("rehearsal", db = %url, to = target);
    async {
        let start = opts.start.unwrap_or(Start::Live);
        tracing::info!(?start, with_data = opts.with_data, "rehearsal started");
        let r = rehearse_unlogged(url, project, target, runner, tools, opts).await;
        match &r {
            Ok(r) => tracing::info!(
                passed = r.passed(),
                steps = r.steps.len(),
                not_rehearsed = r.not_rehearsed.len(),
                ms = r.millis,
                "rehearsal finished"
            ),
            Err(e) => tracing::warn!(error = %e, "rehearsal could not run"),
        }
        r
    }
    .instrument(span)
    .await
}

async fn rehearse_unlogged(
    url: &DatabaseUrl,
    project: &Project,
    target: &str,
    runner: &dyn Runner,
    tools: &Tools,
    opts: &RehearsalOptions,
) -> Result<Rehearsal, OperationError> {
    let started = Instant::now();
    let start = opts.start.unwrap_or(Start::Live);
    let vt = VersionTable::from_config(&project.config);
    // A target that does not plan is bad input, said before a scratch database is made.
    let backup = match (start, &opts.backup) {
        (Start::Backup, Some(path)) => Some(path.as_path()),
        (Start::Backup, None) => {
            return Err(OperationError::Input(
                "say which backup to rehearse from".into(),
            ))
        }
        _ => None,
    };
    // Rows restored from a backup are there to be compared.
    let with_data = opts.with_data || backup.is_some();
    let live_rows = match start {
        Start::Backup => backup
            .map(stratum_backup::Manifest::read)
            .transpose()?
            .map(|m| m.rows)
            .unwrap_or_default(),
        Start::Live => {
            let mut conn = crate::connect(url, CONNECT_TIMEOUT).await?;
            let rows = conn.version_rows(&vt).await;
            conn.close().await;
            rows?
        }
        Start::Base => Vec::new(),
    };
    Operation::Upgrade(target.to_string()).plan(&project.map, &live_rows)?;
    let scratch = match (start, backup) {
        (Start::Backup, Some(path)) => restored(url, path, tools).await?,
        (Start::Live, _) => scratch_copy(url, &vt, tools, "rehearsal", opts.with_data).await?,
        _ => create_scratch(url, "rehearsal").await?,
    };
    let opts = RehearsalOptions {
        with_data,
        ..opts.clone()
    };
    let walked = walk(&scratch, project, target, runner, &opts).await;
    drop_scratch(url, &scratch).await;
    let (rows_before, steps, not_rehearsed, recorded) = walked?;
    Ok(Rehearsal {
        target: target.to_string(),
        start,
        scratch: match (start, url.engine, opts.with_data) {
            (Start::Base, _, _) => "an empty scratch database".into(),
            (Start::Backup, _, _) => format!(
                "a scratch database restored from the backup {}",
                backup.map(|b| b.display().to_string()).unwrap_or_default()
            ),
            (Start::Live, Engine::Sqlite, _) => "a scratch copy of the database file".into(),
            (Start::Live, _, true) => "a scratch copy of the database, rows included".into(),
            (Start::Live, _, false) => {
                "a scratch copy of the schema at the database's version rows".into()
            }
        },
        rows_before,
        steps,
        not_rehearsed,
        recorded,
        dialect: Some(url.dialect()),
        millis: elapsed_ms(started),
    })
}

/// A scratch database beside `url` with `backup` restored into it (its checksum verified
/// first); nothing is left behind when the restore fails.
async fn restored(
    url: &DatabaseUrl,
    backup: &Path,
    tools: &Tools,
) -> Result<DatabaseUrl, OperationError> {
    let scratch = scratch_url(url, "rehearsal");
    let into = match url.engine {
        Engine::Sqlite => scratch
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        _ => scratch.database.clone(),
    };
    let done = stratum_backup::restore(
        url,
        backup,
        tools,
        &stratum_backup::RestoreTarget::New(into),
    )
    .await;
    if let Err(e) = done {
        drop_scratch(url, &scratch).await;
        return Err(e.into());
    }
    Ok(scratch)
}

type Walked = (Vec<String>, Vec<RehearsedStep>, Vec<String>, Vec<Recorded>);

async fn walk(
    scratch: &DatabaseUrl,
    project: &Project,
    target: &str,
    runner: &dyn Runner,
    opts: &RehearsalOptions,
) -> Result<Walked, OperationError> {
    let vt = VersionTable::from_config(&project.config);
    let mut conn = crate::connect(scratch, CONNECT_TIMEOUT).await?;
    let walked = async {
        let rows_before = conn.version_rows(&vt).await?;
        let plan = Operation::Upgrade(target.to_string()).plan(&project.map, &rows_before)?;
        let mut steps = Vec::new();
        let mut not_rehearsed = Vec::new();
        let mut recorded = Vec::new();
        let mut usable = true;
        // A step ends where the next starts: its last schema reading is the next one's first.
        let mut schema: Option<Schema> = None;
        for step in plan
            .steps
            .iter()
            .filter(|s| s.direction == Direction::Upgrade)
        {
            if !usable || opts.cancel.is_cancelled() {
                not_rehearsed.push(step.revision.clone());
                continue;
            }
            let before = match schema.take() {
                Some(s) => s,
                None => schema_of(&mut conn, &vt).await?,
            };
            let (done, after, sent) =
                rehearse_step(&mut conn, project, &vt, step, before, runner, opts).await?;
            recorded.extend(sent);
            tracing::info!(
                revision = %done.revision,
                result = ?done.result,
                problems = done.problems.len(),
                upgrade_ms = done.upgrade_ms,
                downgrade_ms = done.downgrade_ms,
                upgrade_again_ms = done.upgrade_again_ms,
                "step rehearsed"
            );
            usable = after.is_some();
            schema = after;
            if let Some(each) = &opts.each {
                each(&done);
            }
            steps.push(done);
        }
        Ok::<_, OperationError>((rows_before, steps, not_rehearsed, recorded))
    }
    .await;
    conn.close().await;
    walked
}

/// The schema as the revisions made it: the version table is Stratum's and Alembic's, and
/// stays when the first revision is downgraded.
async fn schema_of(conn: &mut Connection, vt: &VersionTable) -> Result<Schema, OperationError> {
    let mut s = introspect(conn).await?;
    s.tables.retain(|t| {
        t.name != vt.name
            || vt
                .schema
                .as_deref()
                .is_some_and(|schema| schema != t.schema)
    });
    Ok(s)
}

/// One run on the scratch database: how it ended (`Err`: the failure in words), how long it
/// took, and every statement it sent.
struct Ran {
    result: Result<(), String>,
    millis: u64,
    statements: Vec<String>,
}

async fn run(
    conn: &mut Connection,
    project: &Project,
    runner: &dyn Runner,
    op: Operation,
    opts: &RehearsalOptions,
) -> Ran {
    let started = Instant::now();
    let sent = Arc::new(Mutex::new(Vec::new()));
    let heard = sent.clone();
    let run_opts = RunOptions {
        cancel: opts.cancel.clone(),
        progress: Some(Arc::new(move |p: &Progress| {
            if let (Progress::Statement { sql, .. }, Ok(mut all)) = (p, heard.lock()) {
                all.push(sql.clone());
            }
        })),
        ..RunOptions::default()
    };
    let r = runner.run(conn, project, &op, &run_opts).await;
    let statements = sent.lock().map(|s| s.clone()).unwrap_or_default();
    Ran {
        result: r.map(|_| ()).map_err(|e| e.to_string()),
        millis: elapsed_ms(started),
        statements,
    }
}

/// Statements as a script: each ends with a semicolon, one blank line between them.
fn script(statements: &[String]) -> String {
    statements
        .iter()
        .map(|s| {
            let s = s.trim_end();
            if s.ends_with(';') || s.contains("\n-- parameters:") {
                format!("{s}\n")
            } else {
                format!("{s};\n")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The target that downgrades exactly `step`: labelled with the step's own revision, so that
/// only its line is dropped even where other branches are applied beside it, and pointing at
/// its first parent (`base` for a first revision); a merge point is unmerged to its parents.
fn downgrade_target(project: &Project, revision: &str) -> String {
    let parents = project.map.down_revisions(revision);
    format!(
        "{revision}@{}",
        parents.first().map(String::as_str).unwrap_or("base")
    )
}

/// A rehearsed step, the schema it ends at (None: the scratch database cannot be trusted
/// further), and the statements its upgrade and downgrade sent.
type Stepped = (RehearsedStep, Option<Schema>, Option<Recorded>);

/// Upgrade, downgrade, upgrade again, from `before` (the schema as the step starts); the second
/// value is the schema it ends at, or None when the scratch database is left where later steps
/// cannot be trusted (a failed run).
async fn rehearse_step(
    conn: &mut Connection,
    project: &Project,
    vt: &VersionTable,
    step: &Step,
    before: Schema,
    runner: &dyn Runner,
    opts: &RehearsalOptions,
) -> Result<Stepped, OperationError> {
    let rev = step.revision.as_str();
    let mut done = RehearsedStep {
        revision: rev.to_string(),
        result: StepResult::Passed,
        problems: Vec::new(),
        upgrade_ms: 0,
        downgrade_ms: 0,
        upgrade_again_ms: 0,
    };
    let problem = |kind: &str, message: String| Problem {
        kind: kind.into(),
        message,
    };
    let rows_before = match opts.with_data {
        true => Some(data_of(conn, &before).await?),
        false => None,
    };
    let up = run(conn, project, runner, Operation::Upgrade(rev.into()), opts).await;
    done.upgrade_ms = up.millis;
    let mut recorded = Recorded {
        revision: rev.to_string(),
        upgrade: script(&up.statements),
        downgrade: String::new(),
    };
    if let Err(e) = up.result {
        done.problems.push(problem(
            "upgrade-failed",
            format!("the upgrade of {rev} failed: {e}"),
        ));
        return Ok((failed(done), None, Some(recorded)));
    }
    let upgraded = schema_of(conn, vt).await?;

    let target = downgrade_target(project, rev);
    let rows = conn.version_rows(vt).await?;
    let isolated = Operation::Downgrade(target.clone())
        .plan(&project.map, &rows)
        .map(|p| p.steps.len() == 1 && p.steps[0].revision == rev);
    if !matches!(isolated, Ok(true)) {
        done.problems.push(problem(
            "not-isolated",
            format!(
                "the downgrade of {rev} cannot be run on its own ({target} from {})",
                rows.join(", ")
            ),
        ));
        return Ok((failed(done), None, Some(recorded)));
    }
    let down = run(conn, project, runner, Operation::Downgrade(target), opts).await;
    done.downgrade_ms = down.millis;
    recorded.downgrade = script(&down.statements);
    if let Err(e) = down.result {
        done.problems.push(problem(
            "downgrade-failed",
            format!("the downgrade of {rev} failed: {e}"),
        ));
        return Ok((failed(done), None, Some(recorded)));
    }
    let downgraded = schema_of(conn, vt).await?;
    let after_down = format!("after the downgrade of {rev}");
    for d in diff(&downgraded, &before, &after_down, BEFORE) {
        done.problems.push(restored_problem(rev, &d, &after_down));
    }
    if let Some(kept) = &rows_before {
        let now = data_of(conn, &before).await?;
        done.problems.extend(data_problems(rev, kept, &now));
    }

    let again = run(conn, project, runner, Operation::Upgrade(rev.into()), opts).await;
    done.upgrade_again_ms = again.millis;
    if let Err(e) = again.result {
        done.problems.push(problem(
            "upgrade-again-failed",
            format!("the upgrade of {rev} failed when run again after its downgrade: {e}"),
        ));
        return Ok((failed(done), None, Some(recorded)));
    }
    let again = schema_of(conn, vt).await?;
    for d in diff(&again, &upgraded, "the second upgrade", "the first") {
        done.problems.push(problem(
            "upgrade-again-differs",
            format!("upgraded again, {rev} gives another schema: {}", d.message),
        ));
    }
    if !done.problems.is_empty() {
        done.result = StepResult::Failed;
    }
    Ok((done, Some(again), Some(recorded)))
}

fn failed(mut step: RehearsedStep) -> RehearsedStep {
    step.result = StepResult::Failed;
    step
}

/// A difference between the schema after the downgrade and before the upgrade, in words: an
/// object the downgrade leaves behind, one it removes that was there before, or one it changes.
fn restored_problem(rev: &str, d: &Difference, after_down: &str) -> Problem {
    let only_after = format!("is in {after_down} but not in {BEFORE}");
    let only_before = format!("is in {BEFORE} but not in {after_down}");
    let (kind, message) = if d.message.ends_with(&only_after) {
        (
            "left-behind",
            format!(
                "{} {} is left behind by the downgrade of {rev}",
                d.kind, d.object
            ),
        )
    } else if d.message.ends_with(&only_before) {
        (
            "missing",
            format!(
                "{} {} is missing after the downgrade of {rev}: it was there before the upgrade",
                d.kind, d.object
            ),
        )
    } else {
        (
            "changed",
            format!(
                "the downgrade of {rev} does not put {} {} back: {}",
                d.kind, d.object, d.message
            ),
        )
    };
    Problem {
        kind: kind.into(),
        message,
    }
}

/// A table's rows, as a count and a SHA-256 over every row's text in order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rows {
    count: usize,
    sha256: String,
}

/// The rows of every table of `schema` that is still there; a table the downgrade dropped is
/// already named by the schema comparison.
async fn data_of(
    conn: &mut Connection,
    schema: &Schema,
) -> Result<BTreeMap<String, Option<Rows>>, OperationError> {
    let d = conn.dialect();
    let mut out = BTreeMap::new();
    for t in &schema.tables {
        let q = |c: &str| quote(d, c);
        let (table, row) = match conn.engine() {
            Engine::Postgres => (
                format!("{}.{} t", q(&t.schema), q(&t.name)),
                "t::text".to_string(),
            ),
            Engine::MySql => (
                q(&t.name),
                format!(
                    "CONCAT_WS(',', {})",
                    t.columns
                        .iter()
                        .map(|c| format!("QUOTE({})", q(&c.name)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            Engine::Sqlite => (
                q(&t.name),
                t.columns
                    .iter()
                    .map(|c| format!("quote({})", q(&c.name)))
                    .collect::<Vec<_>>()
                    .join(" || ',' || "),
            ),
        };
        let rows = conn
            .query_strings(&format!("SELECT {row} FROM {table} ORDER BY 1"))
            .await
            .ok()
            .map(|rows| {
                let mut hash = Sha256::new();
                for r in &rows {
                    hash.update(r.as_bytes());
                    hash.update(b"\n");
                }
                Rows {
                    count: rows.len(),
                    sha256: format!("{:x}", hash.finalize()),
                }
            });
        // MySQL's schema is the scratch database's own name, which means nothing to the reader.
        let key = match conn.engine() {
            Engine::MySql => t.name.clone(),
            _ => format!("{}.{}", t.schema, t.name),
        };
        out.insert(key, rows);
    }
    Ok(out)
}

fn data_problems(
    rev: &str,
    before: &BTreeMap<String, Option<Rows>>,
    after: &BTreeMap<String, Option<Rows>>,
) -> Vec<Problem> {
    let mut out = Vec::new();
    for (table, was) in before {
        let (Some(was), Some(Some(now))) = (was, after.get(table)) else {
            continue;
        };
        let message = if was.count != now.count {
            format!(
                "table {table} has {} row(s) after the downgrade of {rev}, {} before its upgrade",
                now.count, was.count
            )
        } else if was.sha256 != now.sha256 {
            format!(
                "the rows of table {table} are not what they were before the upgrade of {rev} (as many, with other values)"
            )
        } else {
            continue;
        };
        out.push(Problem {
            kind: "data-changed".into(),
            message,
        });
    }
    out
}

/// The SHA-256 of each rehearsed revision's file, one `REVISION SHA256` per line: what a later
/// check compares to know whether the revisions it is about to run are the ones rehearsed.
pub fn rehearsed_files(project: &Project, r: &Rehearsal) -> String {
    crate::files::checksum_lines(
        project,
        r.steps
            .iter()
            .map(|s| s.revision.as_str())
            .chain(r.not_rehearsed.iter().map(String::as_str)),
    )
}

/// Keeps a profile's rehearsal in the store, with who ran it and its files' checksums.
pub async fn keep_rehearsal(
    store: &stratum_store::Store,
    profile_id: i64,
    project: &Project,
    r: &Rehearsal,
    with_data: bool,
) -> Result<stratum_store::RehearsalRecord, OperationError> {
    let failed = r
        .steps
        .iter()
        .filter(|s| s.result == StepResult::Failed)
        .count();
    let record = stratum_store::RehearsalRecord {
        id: 0,
        profile_id: Some(profile_id),
        at: stratum_store::Store::now(),
        who: crate::whoami(),
        target: r.target.clone(),
        start: match r.start {
            Start::Live => "live",
            Start::Base => "base",
            Start::Backup => "backup",
        }
        .into(),
        with_data,
        files: rehearsed_files(project, r),
        result: if r.passed() { "passed" } else { "failed" }.into(),
        summary: if r.passed() {
            format!("{} step(s) passed", r.steps.len())
        } else {
            format!(
                "{failed} of {} step(s) failed",
                r.steps.len() + r.not_rehearsed.len()
            )
        },
        duration_ms: i64::try_from(r.millis).unwrap_or(i64::MAX),
    };
    let kept = store.record_rehearsal(&record).await?;
    // Only an Alembic project has revisions whose SQL is not otherwise known.
    if let (Some(_), Some(dialect)) = (project.alembic(), r.dialect) {
        let sent: Vec<stratum_store::RehearsedSql> = r
            .recorded
            .iter()
            .map(|x| stratum_store::RehearsedSql {
                revision: x.revision.clone(),
                sha256: crate::files::file_sha256(project, &x.revision),
                dialect: dialect.name().to_string(),
                upgrade_sql: x.upgrade.clone(),
                downgrade_sql: x.downgrade.clone(),
                at: String::new(),
                profile_id: None,
            })
            .collect();
        store.record_rehearsed_sql(kept.id, &sent).await?;
    }
    Ok(kept)
}
