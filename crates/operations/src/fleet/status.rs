//! Where every chosen database stands, read concurrently with a bounded number of connections:
//! a slow or dead server answers "unreachable" after its timeout without holding up the
//! others. Profiles on the same project share one reading of it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use stratum_db::{DatabaseUrl, VersionTable};
use stratum_project::Project;
use stratum_store::{CheckupRecord, DriftCheck, Profile, Secrets, Store};
use tokio::sync::Semaphore;
use tracing::Instrument;

use crate::{open_project, OperationError};

#[derive(Debug, Clone)]
pub struct StatusOptions {
    /// Connections open at once.
    pub concurrency: usize,
    /// For connecting and reading one database.
    pub timeout: Duration,
}

impl Default for StatusOptions {
    fn default() -> Self {
        StatusOptions {
            concurrency: 16,
            timeout: Duration::from_secs(5),
        }
    }
}

/// Where a database stands, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// At every head of its project.
    UpToDate,
    /// Revisions to apply.
    Pending,
    /// The version table names a revision the project does not have.
    UnknownRows,
    /// A revision an earlier run left half-done: it must be resumed before anything else runs.
    Interrupted,
    Unreachable,
    /// The profile or its project cannot be read.
    Invalid,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Stamped {
    pub at: String,
    /// Seconds since then.
    pub age_seconds: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LastOperation {
    pub at: String,
    pub operation: String,
    pub target: String,
    pub result: String,
    pub message: String,
}

/// One database's line in the fleet view.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FleetStatus {
    pub profile_id: i64,
    pub name: String,
    pub client: String,
    pub environment: String,
    pub tags: Vec<String>,
    /// The database, without its password.
    pub database: String,
    pub state: State,
    /// Why it is unreachable or invalid, or what is odd about it.
    pub reason: Option<String>,
    pub server: Option<String>,
    pub rows: Vec<String>,
    pub pending: Vec<String>,
    /// The database records several heads: branches applied side by side, not merged.
    pub several_heads: bool,
    /// The project's heads (several: the project needs a merge).
    pub project_heads: usize,
    pub last_backup: Option<Stamped>,
    pub last_operation: Option<LastOperation>,
    pub drift: Option<DriftCheck>,
    /// The latest check-up.
    pub checkup: Option<CheckupRecord>,
    /// How long reading it took.
    pub millis: u64,
}

/// How long ago a store time (`YYYY-MM-DD HH:MM:SS`, local) was.
pub(crate) fn age(at: &str) -> Option<Stamped> {
    let t = chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M:%S").ok()?;
    let now = chrono::Local::now().naive_local();
    Some(Stamped {
        at: at.to_string(),
        age_seconds: (now - t).num_seconds(),
    })
}

/// A project as read once for all its profiles, or why it cannot be read.
type Opened = Result<Arc<Project>, String>;

/// Opens each distinct project once; a profile whose project cannot be read gets the error.
fn projects(profiles: &[Profile]) -> HashMap<i64, Opened> {
    let mut by_key: HashMap<(String, String, String, String), Opened> = HashMap::new();
    let mut out = HashMap::new();
    for p in profiles {
        let key = (
            p.project_dir.clone(),
            p.alembic_values.clone(),
            p.version_table.clone(),
            p.version_table_schema.clone(),
        );
        let opened = by_key
            .entry(key)
            .or_insert_with(|| open_project(p).map(Arc::new).map_err(|e| e.to_string()))
            .clone();
        out.insert(p.id, opened);
    }
    out
}

/// The status of every profile in `profiles`, each handed to `each` as soon as it is known;
/// returned in the order given.
pub async fn status(
    store: &Store,
    secrets: &Secrets,
    profiles: Vec<Profile>,
    opts: &StatusOptions,
    each: impl Fn(&FleetStatus) + Send + Sync + 'static,
) -> Result<Vec<FleetStatus>, OperationError> {
    let backups = store.last_backups().await?;
    let operations = store.last_operations().await?;
    let drifts = store.drift_checks().await?;
    let checkups = store.checkups().await?;
    let projects = projects(&profiles);
    let gate = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let each = Arc::new(each);
    let mut tasks = tokio::task::JoinSet::new();
    for (position, p) in profiles.into_iter().enumerate() {
        let base = FleetStatus {
            profile_id: p.id,
            name: p.name.clone(),
            client: p.client.clone(),
            environment: p.environment.clone(),
            tags: p.tag_list(),
            database: DatabaseUrl::parse(&p.url)
                .map(|u| u.to_string())
                .unwrap_or_else(|_| p.url.clone()),
            state: State::Invalid,
            reason: None,
            server: None,
            rows: Vec::new(),
            pending: Vec::new(),
            several_heads: false,
            project_heads: 0,
            last_backup: backups.get(&p.id).and_then(|b| age(&b.at)),
            last_operation: operations.get(&p.id).map(|e| LastOperation {
                at: e.at.clone(),
                operation: e.operation.clone(),
                target: e.target.clone(),
                result: e.result.clone(),
                message: e.message.clone(),
            }),
            drift: drifts.get(&p.id).cloned(),
            checkup: checkups.get(&p.id).cloned(),
            millis: 0,
        };
        let project = projects.get(&p.id).cloned();
        let password = DatabaseUrl::parse(&p.url)
            .is_ok_and(|u| u.takes_password())
            .then(|| secrets.get(p.id))
            .flatten();
        let (gate, each, timeout) = (gate.clone(), each.clone(), opts.timeout);
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await;
            let started = Instant::now();
            let s = read_one(base, &p, project, password, timeout)
                .instrument(tracing::debug_span!("status", profile = %p.name))
                .await;
            let s = FleetStatus {
                millis: stratum_db::elapsed_ms(started),
                ..s
            };
            tracing::debug!(profile = %p.name, state = ?s.state, ms = s.millis, "status read");
            each(&s);
            (position, s)
        });
    }
    let mut out = Vec::new();
    while let Some(done) = tasks.join_next().await {
        if let Ok(s) = done {
            out.push(s);
        }
    }
    out.sort_by_key(|(position, _)| *position);
    Ok(out.into_iter().map(|(_, s)| s).collect())
}

async fn read_one(
    base: FleetStatus,
    p: &Profile,
    project: Option<Opened>,
    password: Option<String>,
    timeout: Duration,
) -> FleetStatus {
    let invalid = |reason: String| FleetStatus {
        state: State::Invalid,
        reason: Some(reason),
        ..base.clone()
    };
    let project = match project {
        Some(Ok(p)) => p,
        Some(Err(e)) => return invalid(e),
        None => return invalid("the project was not read".into()),
    };
    let mut url = match DatabaseUrl::parse(&p.url) {
        Ok(u) => u,
        Err(e) => return invalid(e.to_string()),
    };
    if url.password.is_none() {
        url.password = password;
    }
    let read = async {
        let mut conn = crate::connect(&url, timeout).await?;
        let server = conn.server_info().await.map(|i| i.version);
        let vt = VersionTable::from_config(&project.config);
        let rows = conn.version_rows(&vt).await;
        let journal = stratum_db::Journal::new(&vt, conn.dialect())
            .read(&mut conn)
            .await;
        conn.close().await;
        Ok::<_, stratum_db::DbError>((server?, rows?, journal?))
    };
    let heads = project.map.heads().len();
    match tokio::time::timeout(timeout, read).await {
        Err(_) => FleetStatus {
            state: State::Unreachable,
            reason: Some(format!("no answer within {} s", timeout.as_secs())),
            project_heads: heads,
            ..base
        },
        Ok(Err(e)) => FleetStatus {
            state: State::Unreachable,
            reason: Some(e.to_string()),
            project_heads: heads,
            ..base
        },
        Ok(Ok((server, rows, journal))) => {
            let (state, reason, pending) = match project.map.pending(&rows) {
                Err(e) => (State::UnknownRows, Some(e.to_string()), Vec::new()),
                Ok(pending) if journal.is_some() => (
                    State::Interrupted,
                    journal.as_ref().map(|j| {
                        let verb = match j.direction {
                            stratum_graph::Direction::Downgrade => "downgrading",
                            _ => "upgrading",
                        };
                        format!(
                            "revision {} was interrupted while {verb}: {} of {} statement(s) ran; open the database to resume it",
                            j.revision, j.done, j.statements
                        )
                    }),
                    pending,
                ),
                Ok(pending) if !pending.is_empty() => (State::Pending, None, pending),
                Ok(pending) => (State::UpToDate, None, pending),
            };
            FleetStatus {
                state,
                reason,
                server: Some(server),
                several_heads: rows.len() > 1,
                rows,
                pending,
                project_heads: heads,
                ..base
            }
        }
    }
}
