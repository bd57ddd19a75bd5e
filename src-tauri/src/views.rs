//! The shapes the window needs that the engine has no type for: each is a composition of
//! several engine values, a form's input, or an engine value with what the window adds to it.
//! Wherever the window shows the same thing as the engine, the command returns the engine's
//! own type (its `specta` feature describes it for `ui/src/bindings.ts`).

use serde::{Deserialize, Serialize};
use specta::Type;
use stratum_backup::Restored;
use stratum_checks::Finding;
use stratum_db::RunFailure;
use stratum_graph::{Direction, Step, TimelineRow};
use stratum_operations::fleet::BatchReport;
use stratum_store::{BackupEntry, BatchRecord, BatchTally, SecretStorage};

/// A profile as listed: its URL as shown (no password, the engine named) and its tags as a list.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ProfileView {
    pub id: u32,
    pub name: String,
    pub client: String,
    pub environment: String,
    /// The database, without any password.
    pub database: String,
    /// The URL as stored (never with a password), for the form's fields.
    pub url: String,
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
    /// Upgrades and downgrades need the release checklist met (or a typed override).
    pub release_gate: bool,
    /// e.g. `Sat-Sun 22:00-06:00 Europe/Berlin`; "" when none is scheduled.
    pub maintenance_window: String,
}

/// One line of the timeline: the graph's layout of it, with the file's text and the database's
/// rows joined.
#[derive(Debug, Clone, Serialize, Type)]
pub struct RevisionRow {
    #[serde(flatten)]
    pub layout: TimelineRow,
    pub message: String,
    pub created: Option<String>,
    pub file: String,
    pub down_revisions: Vec<String>,
    pub labels: Vec<String>,
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
        /// A revision an earlier run left half-done: nothing runs until it is finished.
        interrupted: Option<stratum_db::Interruption>,
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

/// What the window asks to run; the engine's `Operation` is built from it.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct OperationRequest {
    pub kind: Direction,
    pub target: String,
    /// Finish the revision an interrupted run left half-done (and only that).
    #[serde(default)]
    #[specta(optional)]
    pub resume: Option<ResumeChoice>,
}

/// How to finish an interrupted revision.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type)]
pub struct ResumeChoice {
    /// For a statement the catalog cannot settle: whether it ran, as the person says.
    pub doubtful_ran: Option<bool>,
}

/// A plan step with its revision's message, which the graph does not know.
#[derive(Debug, Clone, Serialize, Type)]
pub struct PlannedStep {
    #[serde(flatten)]
    pub step: Step,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct PlanView {
    pub rows_before: Vec<String>,
    pub rows_after: Vec<String>,
    pub steps: Vec<PlannedStep>,
    /// The SQL exactly as it will run, with the version-table statements.
    pub sql: String,
    /// What the safety checks found in the revisions this plan runs.
    pub findings: Vec<FindingView>,
}

/// A safety-check finding with whether it holds the run (the engine answers that by a method).
#[derive(Debug, Clone, Serialize, Type)]
pub struct FindingView {
    #[serde(flatten)]
    pub finding: Finding,
    /// Blocking and not acknowledged: the run waits for it.
    pub blocks: bool,
}

impl From<&Finding> for FindingView {
    fn from(f: &Finding) -> Self {
        FindingView {
            blocks: f.blocks(),
            finding: f.clone(),
        }
    }
}

/// A run's end for the result screen: the engine's report or failure, and a summary in words.
#[derive(Debug, Clone, Serialize, Type)]
pub struct RunOutcome {
    pub succeeded: bool,
    pub rows_before: Vec<String>,
    pub rows_after: Vec<String>,
    pub steps: usize,
    pub millis: u64,
    pub failure: Option<RunFailure>,
    /// In words, for the result screen.
    pub summary: String,
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
    /// The release gate (None: on for production only).
    #[serde(default)]
    pub release_gate: Option<bool>,
    /// `DAYS HH:MM-HH:MM [TIME ZONE]`, or empty.
    #[serde(default)]
    pub maintenance_window: Option<String>,
}

/// Where a saved profile's password went (None: it has none).
#[derive(Debug, Clone, Serialize, Type)]
pub struct SavedProfile {
    pub profile: ProfileView,
    pub password_storage: Option<SecretStorage>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ConnectionTest {
    pub server: String,
    pub latency_ms: u32,
    pub rows: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct WrittenRevision {
    pub revision: String,
    pub file: String,
    pub content: String,
}

/// A catalogued backup, and whether its file is still on disk.
#[derive(Debug, Clone, Serialize, Type)]
pub struct BackupView {
    #[serde(flatten)]
    pub entry: BackupEntry,
    pub present: bool,
}

/// A restore's result, and the safety backup taken of the database it replaced.
#[derive(Debug, Clone, Serialize, Type)]
pub struct RestoredView {
    #[serde(flatten)]
    pub restored: Restored,
    pub safety_backup: Option<BackupView>,
}

/// A dry run's outcome as fields (the engine's is a `Result`), with how it was done in words.
#[derive(Debug, Clone, Serialize, Type)]
pub struct DryRunView {
    /// Rolled back, or rehearsed on a scratch copy and why.
    pub method: String,
    pub succeeded: bool,
    pub rows_after: Vec<String>,
    pub failure: Option<RunFailure>,
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

/// An Alembic project's code would run and its folder is not trusted yet: nothing was started;
/// the window asks whether to trust the folder, then asks the command again.
#[derive(Debug, Clone, Serialize, Type)]
pub struct UntrustedFolder {
    pub message: String,
    /// The folder to trust, canonical (what `trust_folder` is given back).
    pub folder: String,
    /// The project's `env.py`, which runs first, wherever its `script_location` puts it.
    pub env_py: Option<String>,
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

/// A batch as the window starts it.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct BatchRequest {
    pub profile_ids: Vec<u32>,
    pub kind: Direction,
    pub target: String,
    pub concurrency: u32,
    pub stop_on_failure: bool,
    /// Back up every database first (else as each profile says).
    pub backup_all: bool,
    /// The number of production databases in the batch, typed by the user.
    pub production_confirmation: Option<String>,
    /// For databases with a release gate: who reviewed the code, and why to run where an item
    /// is unmet ("" for neither).
    #[serde(default)]
    pub reviewer: String,
    #[serde(default)]
    pub override_reason: String,
    /// These are the databases interrupted batch #N left pending, run with its operation and
    /// target: that batch then says which batch ran its rest and is offered no more.
    #[serde(default)]
    pub rest_of: Option<u32>,
}

/// A batch's report with its summary in words.
#[derive(Debug, Clone, Serialize, Type)]
pub struct BatchReportView {
    #[serde(flatten)]
    pub report: BatchReport,
    pub summary: String,
}

/// A past batch for the list, with how its databases ended.
#[derive(Debug, Clone, Serialize, Type)]
pub struct BatchSummaryView {
    #[serde(flatten)]
    pub batch: BatchRecord,
    #[serde(flatten)]
    pub tally: BatchTally,
    /// Never finished, with databases it did not get to: its process was killed (or it is
    /// still running in another window or terminal).
    pub interrupted: bool,
}

/// What About Stratum shows.
#[derive(Debug, Clone, Serialize, Type)]
pub struct AboutView {
    /// The app's, the command line's and the packages' version.
    pub version: String,
    /// Where the profiles, the audit log and the backups are kept.
    pub data_dir: String,
    /// Where the log files are (`logs` in the data folder), for support to ask for.
    pub log_dir: String,
    /// The local store's schema (its newest migration).
    pub store_schema: u32,
    /// The operating system and processor it was built for.
    pub platform: String,
}

/// What "Add databases from a server…" asks for.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct DiscoverRequest {
    /// The server's URL (its database, if any, is only where to list from).
    pub server: String,
    /// Typed in the dialog; never stored but in the keychain of each added profile.
    pub password: Option<String>,
    /// The URL is this profile's: its password comes from the keychain.
    pub from_profile: Option<u32>,
    pub project_dir: String,
    /// A name pattern: `*` any run of characters, `?` one ("" for every database).
    pub databases: String,
    /// PostgreSQL: a pattern for schemas, one tenant each ("" for whole databases).
    pub schemas: String,
    /// `{database}`, `{schema}`, `{1}`, `{2}`...: the profile's name ("" for the default).
    pub name_rule: String,
    /// The same placeholders: the client.
    pub client_rule: String,
    pub environment: String,
    /// Comma separated.
    pub tags: String,
}

/// A connection that failed, and the field of the connection form to look at.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ConnectionProblem {
    pub message: String,
    pub field: Option<stratum_db::ConnectField>,
    /// An SSH bastion not trusted yet: the fingerprint of the key it offers, for the person to
    /// compare and trust.
    pub ssh_fingerprint: Option<String>,
}

/// A team's profiles file, before it is imported.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ProfilesFileView {
    pub path: String,
    /// The names of its profiles.
    pub profiles: Vec<String>,
    /// Those whose name a profile here has already: they are not imported.
    pub taken: Vec<String>,
    /// `engine://user@host:port` of each server whose password is not known here: the window
    /// asks for them.
    pub servers_wanting_a_password: Vec<String>,
}
