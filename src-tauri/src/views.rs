//! What the window is sent. Ids and counts are `u32` (64-bit numbers do not cross to
//! TypeScript safely); everything here is derived from the engine's own types.

use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Serialize, Type)]
pub struct ProfileView {
    pub id: u32,
    pub name: String,
    pub client: String,
    pub environment: String,
    /// The database, without any password.
    pub database: String,
    pub engine: String,
    pub project_dir: String,
    pub auto_backup: bool,
    pub backup_keep: u32,
    /// Alembic projects: the Python that runs its Alembic ("": found in the project's
    /// virtualenv or on PATH).
    pub python: String,
    pub version_table: String,
    pub version_table_schema: String,
    /// Values revision files compute, one `FILE: NAME = VALUE` per line.
    pub alembic_values: String,
    /// For choosing profiles in the fleet view.
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Segment {
    pub from: u32,
    pub to: u32,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct RevisionRow {
    pub revision: String,
    pub message: String,
    pub created: Option<String>,
    pub file: String,
    pub down_revisions: Vec<String>,
    pub labels: Vec<String>,
    pub lane: u32,
    pub top: Vec<Segment>,
    pub bottom: Vec<Segment>,
    pub is_head: bool,
    pub is_merge_point: bool,
    pub is_branch_point: bool,
    /// Applied in the database (a row, or below one).
    pub applied: bool,
    /// One of the database's version rows.
    pub current: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DatabaseState {
    Reachable {
        rows: Vec<String>,
        pending: Vec<String>,
        server: String,
    },
    Unreachable {
        message: String,
    },
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct TimelineView {
    pub profile: ProfileView,
    /// "native" (stratum.toml and SQL files) or "alembic" (alembic.ini and Python revisions,
    /// run through the project's own Alembic).
    pub format: String,
    pub rows: Vec<RevisionRow>,
    pub lanes: u32,
    pub heads: Vec<String>,
    pub database: DatabaseState,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct RevisionDetail {
    pub revision: String,
    pub upgrade_sql: String,
    pub downgrade_sql: String,
    pub dialect: String,
    /// An Alembic revision's Python file, which is what runs.
    pub python: Option<String>,
    /// Why there is no SQL to show (Alembic's offline mode could not render it).
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OperationKind {
    Upgrade,
    Downgrade,
    Stamp,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct OperationRequest {
    pub kind: OperationKind,
    pub target: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct StepView {
    pub revision: String,
    pub direction: String,
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub message: String,
    pub rows_after: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct PlanView {
    pub rows_before: Vec<String>,
    pub rows_after: Vec<String>,
    pub steps: Vec<StepView>,
    /// The SQL exactly as it will run, with the version-table statements.
    pub sql: String,
    /// What the safety checks found in the revisions this plan runs.
    pub findings: Vec<FindingView>,
}

/// Streamed while an operation runs.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ProgressEvent {
    Planned {
        steps: u32,
    },
    StepStarted {
        index: u32,
        total: u32,
        revision: String,
    },
    Statement {
        index: u32,
        number: u32,
        line: u32,
        sql: String,
    },
    StepFinished {
        index: u32,
        revision: String,
        millis: u32,
    },
    /// A line of an Alembic project's own output.
    Output {
        line: String,
    },
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct FailureView {
    pub revision: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub statement: Option<String>,
    pub message: String,
    pub rolled_back: bool,
    pub committed: Vec<String>,
    pub rows_now: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct RunOutcome {
    pub succeeded: bool,
    pub rows_before: Vec<String>,
    pub rows_after: Vec<String>,
    pub steps: u32,
    pub millis: u32,
    pub failure: Option<FailureView>,
    /// In words, for the result screen.
    pub summary: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct AuditView {
    pub id: u32,
    pub at: String,
    pub who: String,
    pub profile_name: String,
    pub operation: String,
    pub target: String,
    pub rows_before: String,
    pub rows_after: String,
    pub duration_ms: u32,
    pub result: String,
    pub message: String,
    /// The backup taken before the operation, or empty.
    pub backup: String,
}

/// A profile as the form sends it. `password` is only ever passed through to the keychain.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct ProfileInput {
    pub id: Option<u32>,
    pub name: String,
    pub client: String,
    pub environment: String,
    pub url: String,
    pub password: Option<String>,
    pub project_dir: String,
    /// Back up before every upgrade and downgrade (None: on for production only).
    #[serde(default)]
    pub auto_backup: Option<bool>,
    /// Backups kept for this profile (None: 10).
    #[serde(default)]
    pub backup_keep: Option<u32>,
    /// Alembic projects (all optional): the Python, the version table and schema where env.py
    /// sets them, and values revision files compute (`FILE: NAME = VALUE` per line).
    #[serde(default)]
    pub python: Option<String>,
    #[serde(default)]
    pub version_table: Option<String>,
    #[serde(default)]
    pub version_table_schema: Option<String>,
    #[serde(default)]
    pub alembic_values: Option<String>,
    /// Comma separated.
    #[serde(default)]
    pub tags: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct SavedProfile {
    pub profile: ProfileView,
    /// Where the password went: "keychain", "memory" (no keychain service: this session only),
    /// or "none".
    pub password_storage: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ConnectionTest {
    pub server: String,
    pub latency_ms: u32,
    pub rows: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ProfileStatus {
    pub id: u32,
    /// "ok", "pending", "heads", "unreachable" or "invalid".
    pub state: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct WrittenRevision {
    pub revision: String,
    pub file: String,
    pub content: String,
}

/// What an `alembic.ini` gives a new profile. `password` comes from the file's URL and only
/// goes back into the form (and from there to the keychain).
#[derive(Debug, Clone, Serialize, Type)]
pub struct ProfileDraft {
    pub name: String,
    pub url: Option<String>,
    pub password: Option<String>,
    pub project_dir: Option<String>,
    /// What the user should know or still do, in words.
    pub notes: Vec<String>,
}

/// One catalogued backup.
#[derive(Debug, Clone, Serialize, Type)]
pub struct BackupView {
    pub id: u32,
    pub at: String,
    pub path: String,
    pub engine: String,
    pub rows: Vec<String>,
    /// Bytes (as a float: sizes pass 4 GiB).
    pub size: f64,
    pub sha256: String,
    pub duration_ms: u32,
    pub tool_version: String,
    pub reason: String,
    /// False when the file is gone from disk.
    pub present: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct VerifiedView {
    pub checks: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct RestoredView {
    pub database: String,
    pub rows: Vec<String>,
    pub duration_ms: u32,
    /// The backup of the database as it was, taken before it was replaced.
    pub safety_backup: Option<BackupView>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct DryRunView {
    /// What was done, in words: rolled back, or rehearsed on a scratch copy and why.
    pub method: String,
    pub succeeded: bool,
    pub rows_after: Vec<String>,
    pub failure: Option<FailureView>,
}

/// A safety-check finding.
#[derive(Debug, Clone, Serialize, Type)]
pub struct FindingView {
    pub revision: String,
    pub file: String,
    pub line: u32,
    pub rule: String,
    /// "warning" or "blocking".
    pub severity: String,
    pub message: String,
    pub why: String,
    /// The reason written in the file, when acknowledged.
    pub acknowledged: Option<String>,
    /// Blocking and not acknowledged: the run waits for it.
    pub blocks: bool,
}

/// A revision file computes one of the names Alembic reads; the user can give its value.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ComputedValue {
    pub message: String,
    /// The file, as a path the profile's values can name.
    pub file: String,
    pub line: u32,
    /// revision, down_revision, branch_labels or depends_on.
    pub name: String,
}

/// An Alembic project converted into a Stratum project.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ConvertedView {
    pub dir: String,
    pub revisions: u32,
    pub dialect: String,
    /// Revisions that run outside a transaction, as their autocommit blocks did.
    pub outside_transaction: Vec<String>,
}

/// One database's line in the fleet view.
#[derive(Debug, Clone, Serialize, Type)]
pub struct FleetRow {
    pub profile_id: u32,
    pub name: String,
    pub client: String,
    pub environment: String,
    pub tags: Vec<String>,
    pub database: String,
    /// up_to_date, pending, unknown_rows, unreachable or invalid.
    pub state: String,
    pub reason: Option<String>,
    pub server: Option<String>,
    pub rows: Vec<String>,
    pub pending: Vec<String>,
    pub several_heads: bool,
    pub project_heads: u32,
    pub last_backup_at: Option<String>,
    pub last_backup_age_seconds: Option<u32>,
    pub last_operation: Option<LastOperationView>,
    pub drift: Option<DriftView>,
    pub millis: u32,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct LastOperationView {
    pub at: String,
    pub operation: String,
    pub target: String,
    pub result: String,
    pub message: String,
}

/// A profile's latest drift check.
#[derive(Debug, Clone, Serialize, Type)]
pub struct DriftView {
    pub profile_id: u32,
    pub at: String,
    /// How many objects differ; -1 when the check failed.
    pub differences: i32,
    pub summary: String,
}

/// A batch as the window starts it.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct BatchRequest {
    pub profile_ids: Vec<u32>,
    pub kind: OperationKind,
    pub target: String,
    pub concurrency: u32,
    pub stop_on_failure: bool,
    /// Back up every database first (else as each profile says).
    pub backup_all: bool,
    /// The number of production databases in the batch, typed by the user.
    pub production_confirmation: Option<String>,
}

/// Streamed while a batch runs.
#[derive(Debug, Clone, Serialize, Type)]
pub struct BatchEventView {
    pub position: u32,
    pub profile_id: u32,
    /// queued, checking, backing_up, running, verifying, succeeded, up_to_date, failed,
    /// skipped or cancelled.
    pub phase: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct BatchItemView {
    pub position: u32,
    pub profile_id: Option<u32>,
    pub profile_name: String,
    pub client: String,
    pub environment: String,
    pub rows_before: Vec<String>,
    pub rows_after: Vec<String>,
    /// The rows were read (empty is then base; unread, unknown).
    pub rows_read: bool,
    pub backup: String,
    pub duration_ms: u32,
    /// succeeded, up to date, failed, skipped or cancelled.
    pub result: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct BatchReportView {
    pub id: u32,
    pub at: String,
    pub who: String,
    pub operation: String,
    pub target: String,
    pub options: String,
    pub finished_at: Option<String>,
    pub duration_ms: u32,
    pub summary: String,
    pub items: Vec<BatchItemView>,
}

/// A past batch, for the list.
#[derive(Debug, Clone, Serialize, Type)]
pub struct BatchSummaryView {
    pub id: u32,
    pub at: String,
    pub operation: String,
    pub target: String,
    pub duration_ms: u32,
    /// How its databases ended, so the list says which batches failed.
    pub databases: u32,
    pub succeeded: u32,
    pub up_to_date: u32,
    pub failed: u32,
    pub skipped: u32,
    pub cancelled: u32,
}
