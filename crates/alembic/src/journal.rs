//! Stratum's journal for an Alembic project's runs. The revisions' statements are decided by
//! their Python as it runs, so the driver journals each one on the revision's own connection
//! just before sending it (`driver.py`'s `Journal`). Before a run, a revision an earlier run
//! left half-done stops it, as with native projects; with a resume, Alembic runs that
//! revision again and the driver skips the statements that ran, checking each is the same
//! statement as before.

use serde_json::{json, Value};
use stratum_db::{
    DbError, Interruption, Journal, JournalRow, Operation, Resume, StatementState, VersionTable,
};
use stratum_graph::Direction;
use stratum_project::Project;

use crate::AlembicError;

/// What the run does about the journal: the operation to run (a resume that stops after the
/// interrupted revision runs to it alone) and the journal's part of the driver's request.
pub(crate) struct Journaled {
    pub op: Operation,
    pub request: Value,
}

/// Reads the journal before a run: clears a row that no longer means anything, refuses to run
/// over a half-done revision unless resuming, and prepares the resume.
pub(crate) async fn prepare(
    conn: &mut stratum_db::Connection,
    project: &Project,
    op: &Operation,
    resume: Option<Resume>,
    vt: &VersionTable,
    rows: &[String],
) -> Result<Journaled, AlembicError> {
    let journal = Journal::new(vt, conn.dialect());
    let mut op = op.clone();
    let mut resumed = Value::Null;
    if let Some(row) = journal.read(conn).await? {
        // A stamp is the person saying what the database holds (a repair by hand): the
        // journal's row gives way to it.
        let interruption =
            if matches!(op, Operation::Stamp { .. }) || settled_by_rows(project, &row, rows)? {
                None
            } else {
                Some(Interruption::describe(conn, project, row.clone()).await?)
            };
        match interruption {
            Some(i) if !i.nothing_ran() => {
                let Some(resume) = resume else {
                    return Err(DbError::Interrupted(Box::new(i)).into());
                };
                let skip = statements_to_skip(&i, resume)?;
                if let Some(sql) = rebuild_first(&i, conn.dialect()) {
                    conn.execute(&sql)
                        .await
                        .map_err(|e| DbError::query(format!("running {sql}"), e))?;
                }
                op = resumed_operation(project, &op, &row, resume.only, rows)?;
                resumed = json!({
                    "revision": row.revision,
                    "skip": skip,
                    "digests": row.digests,
                });
            }
            // Nothing of it took effect, or its version row was written after all: there is
            // nothing to finish.
            _ => {
                conn.execute(&journal.finish()).await.map_err(|e| {
                    DbError::query(format!("clearing {}", stratum_db::JOURNAL_TABLE), e)
                })?;
            }
        }
    }
    conn.execute(&journal.create())
        .await
        .map_err(|e| DbError::query(format!("creating {}", stratum_db::JOURNAL_TABLE), e))?;
    Ok(Journaled {
        op,
        request: json!({
            "table": journal.table(),
            "key": vt.name,
            "started_by": stratum_db::identity(),
            "started_at": chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            "resume": resumed,
        }),
    })
}

/// The driver deletes the row right after Alembic writes the version row; where the two do not
/// share a transaction, a run cut off between them leaves a row the version rows already
/// answer (as does a repair by hand with `alembic stamp`).
fn settled_by_rows(
    project: &Project,
    row: &JournalRow,
    rows: &[String],
) -> Result<bool, AlembicError> {
    if project.map.index_of(&row.revision).is_none() {
        return Ok(false);
    }
    let pending = project.map.pending(rows)?.contains(&row.revision);
    Ok(match row.direction {
        Direction::Downgrade => pending,
        _ => !pending,
    })
}

/// How many of the revision's statements ran: those the journal counts, and the one in flight
/// when the catalog (or the person) says it ran.
fn statements_to_skip(i: &Interruption, resume: Resume) -> Result<usize, AlembicError> {
    let counted = i
        .statements
        .iter()
        .filter(|s| s.state == StatementState::Ran && !s.settled_by_catalog)
        .count();
    let in_flight_ran = match i.in_flight().map(|s| &s.state) {
        Some(StatementState::Ran) => true,
        Some(StatementState::InDoubt) => match resume.doubtful_ran {
            Some(ran) => ran,
            None => return Err(DbError::Interrupted(Box::new(i.clone())).into()),
        },
        _ => false,
    };
    Ok(counted + usize::from(in_flight_ran))
}

/// An INVALID index an interrupted `CONCURRENTLY` build left is dropped first; the revision's
/// statement then builds it again.
fn rebuild_first(i: &Interruption, dialect: stratum_project::Dialect) -> Option<String> {
    match &i.in_flight()?.state {
        StatementState::InvalidIndex(name) => Some(format!(
            "DROP INDEX CONCURRENTLY IF EXISTS {}",
            name.split('.')
                .map(|part| stratum_db::quote(dialect, part))
                .collect::<Vec<_>>()
                .join(".")
        )),
        _ => None,
    }
}

/// The interrupted revision must be the run's first step, in its direction; a resume that
/// stops after it runs to it alone.
fn resumed_operation(
    project: &Project,
    op: &Operation,
    row: &JournalRow,
    only: bool,
    rows: &[String],
) -> Result<Operation, AlembicError> {
    let verb = match row.direction {
        Direction::Downgrade => "a downgrade",
        _ => "an upgrade",
    };
    let mismatch = |why: &str| {
        AlembicError::Db(DbError::ResumeMismatch(format!(
            "revision {} was interrupted in {verb}{why}",
            row.revision
        )))
    };
    let op = match (row.direction, op, only) {
        (Direction::Upgrade, Operation::Upgrade(_), true) => {
            Operation::Upgrade(row.revision.clone())
        }
        (Direction::Downgrade, Operation::Downgrade(_), true) => {
            let plan = op.plan(&project.map, rows)?;
            let after = plan
                .steps
                .first()
                .map(|s| s.rows_after.clone())
                .unwrap_or_default();
            match after.as_slice() {
                [] => Operation::Downgrade("base".into()),
                [one] => Operation::Downgrade(one.clone()),
                _ => return Err(mismatch(": downgrading it leaves several heads, so resume it with the downgrade's own target")),
            }
        }
        (Direction::Upgrade, Operation::Upgrade(_), false)
        | (Direction::Downgrade, Operation::Downgrade(_), false) => op.clone(),
        _ => return Err(mismatch(&format!(": resume it with {verb}"))),
    };
    let plan = op.plan(&project.map, rows)?;
    let first = plan.steps.first();
    let starts_with_it =
        first.is_some_and(|s| s.revision == row.revision && s.direction == row.direction);
    if !starts_with_it || (only && plan.steps.len() != 1) {
        return Err(mismatch(&format!(
            ": resume with a target that runs it first ({verb} to {} or beyond)",
            row.revision
        )));
    }
    Ok(op)
}
