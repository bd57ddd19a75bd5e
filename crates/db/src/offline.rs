//! `--sql`: the SQL a plan would run, in Alembic's offline output shape, without a database.

use stratum_graph::{Direction, Plan, VersionOp};
use stratum_project::{Dialect, Project};

use crate::{DbError, VersionTable};

fn emit(out: &mut String, sql: &str) {
    out.push_str(sql);
    out.push_str(";\n\n");
}

/// Renders `plan` as Alembic's `upgrade/downgrade/stamp --sql` would, for `dialect`: a
/// `-- Running ...` comment per step, its statements, the version-table statements, and on
/// PostgreSQL `BEGIN;`/`COMMIT;` (around the run, or around each step).
pub fn render_offline(
    project: &Project,
    plan: &Plan,
    dialect: Dialect,
    per_revision: bool,
) -> Result<String, DbError> {
    let vt = VersionTable::from_config(&project.config);
    let transactional = dialect == Dialect::Postgres;
    let mut out = String::new();
    if transactional && !per_revision {
        emit(&mut out, "BEGIN");
    }
    let mut rows_empty = plan.rows_before.is_empty();
    for step in &plan.steps {
        if transactional && per_revision {
            emit(&mut out, "BEGIN");
        }
        if rows_empty {
            emit(&mut out, &vt.create_offline(dialect));
        }
        let name = match step.direction {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
            Direction::Stamp => "stamp_revision",
        };
        out.push_str(&format!(
            "-- Running {name} {} -> {}\n\n",
            step.from.join(", "),
            step.to.join(", ")
        ));
        if step.direction != Direction::Stamp {
            let file = project
                .file(&step.revision)
                .ok_or_else(|| DbError::MissingFile(step.revision.clone()))?;
            let outside = transactional && !file.transactional;
            if outside {
                emit(&mut out, "COMMIT");
            }
            for s in file.statements(step.direction == Direction::Upgrade, dialect)? {
                emit(&mut out, &s.sql);
            }
            if outside {
                emit(&mut out, "BEGIN");
            }
        }
        for op in &step.version_ops {
            let sql = match op {
                VersionOp::Insert { revision } => vt.insert(dialect, revision, true),
                VersionOp::Delete { revision } => vt.delete(dialect, revision, true),
                VersionOp::Update { from, to } => vt.update(dialect, from, to, true),
            };
            emit(&mut out, &sql);
        }
        rows_empty = step.rows_after.is_empty();
        if transactional && per_revision {
            emit(&mut out, "COMMIT");
        }
    }
    if transactional && !per_revision {
        emit(&mut out, "COMMIT");
    }
    Ok(out)
}
