//! Commands that touch (or plan against) a database: current, upgrade, downgrade, stamp.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use stratum_db::{render_offline, Operation, Progress, RunOptions};
use stratum_graph::{Direction, Plan, VersionOp};
use stratum_project::Project;
use tracing::Instrument;

use crate::args::{Cli, MigrateArgs, StampArgs};
use crate::database_args::{connect, database_url, given_dialect, sql_dialect};
use crate::error::CliError;
use crate::output::Out;
use crate::project_args::{backup_tools, open_project, runner};

/// `--from a,b`: version rows given on the command line ("" or "base" for none).
fn rows_from(project: &Project, from: &str) -> Result<Vec<String>, CliError> {
    let map = &project.map;
    from.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "base")
        .map(|s| {
            map.resolve(s)?
                .ok_or_else(|| CliError::Input(format!("--from '{s}' names no revision")))
        })
        .collect()
}

pub async fn current(cli: &Cli, out: &Out) -> Result<(), CliError> {
    let project = open_project(cli)?;
    let vt = stratum_db::VersionTable::from_config(&project.config);
    let mut conn = connect(&database_url(cli)?).await?;
    let rows = conn.version_rows(&vt).await?;
    let interrupted = match stratum_db::Journal::new(&vt, conn.dialect())
        .read(&mut conn)
        .await?
    {
        Some(row) => Some(stratum_db::Interruption::describe(&mut conn, &project, row).await?),
        None => None,
    };
    conn.close().await;
    if let Some(i) = &interrupted {
        if !out.json {
            eprintln!("{}", crate::error::interrupted_message(i));
        }
    }
    let map = &project.map;
    let current = map.current(&rows)?;
    let pending = map.pending(&rows)?;
    let entries: Vec<_> = current
        .iter()
        .map(|r| json!({ "revision": r, "is_head": map.is_real_head(r), "is_row": rows.contains(r) }))
        .collect();
    out.result(
        &json!({ "rows": rows, "current": entries, "pending": pending, "interrupted": interrupted }),
        || {
            let mut s = String::new();
            if current.is_empty() {
                s.push_str("(no revision: the database is at base)\n");
            }
            for r in &current {
                let head = if map.is_real_head(r) { " (head)" } else { "" };
                s.push_str(&format!("{r}{head}\n"));
            }
            if !pending.is_empty() {
                s.push_str(&format!(
                    "{} revision(s) pending: {}\n",
                    pending.len(),
                    pending.join(", ")
                ));
            }
            s
        },
    );
    Ok(())
}

fn op_text(op: &VersionOp) -> String {
    match op {
        VersionOp::Insert { revision } => format!("insert {revision}"),
        VersionOp::Delete { revision } => format!("delete {revision}"),
        VersionOp::Update { from, to } => format!("{from} -> {to}"),
    }
}

fn print_plan(plan: &Plan, out: &Out) {
    out.result(plan, || {
        let verb = match plan.direction {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
            Direction::Stamp => "stamp",
        };
        let mut s = format!(
            "Plan: {verb} {} from [{}]\n",
            plan.target,
            plan.rows_before.join(", ")
        );
        if plan.steps.is_empty() {
            s.push_str("  nothing to do\n");
        }
        for (i, st) in plan.steps.iter().enumerate() {
            let ops: Vec<String> = st.version_ops.iter().map(op_text).collect();
            s.push_str(&format!(
                "  {:>3}. {verb} {} -> {}   [{}]   rows: [{}]\n",
                i + 1,
                if st.from.is_empty() {
                    "<base>".to_string()
                } else {
                    st.from.join(", ")
                },
                if st.to.is_empty() {
                    "<base>".to_string()
                } else {
                    st.to.join(", ")
                },
                ops.join("; "),
                st.rows_after.join(", ")
            ));
        }
        s
    });
}

/// Splits Alembic's `FROM:TO` (only with --sql).
fn split_range(target: &str) -> Result<(Option<&str>, &str), CliError> {
    match target.split(':').collect::<Vec<_>>().as_slice() {
        [t] => Ok((None, t)),
        [f, t] => Ok((Some(f), t)),
        _ => Err(CliError::Input(format!(
            "'{target}': expected TARGET or FROM:TO"
        ))),
    }
}

/// The rows to plan from: `--from` when given, else the database's.
async fn planning_rows(
    cli: &Cli,
    project: &Project,
    from: &Option<String>,
) -> Result<Vec<String>, CliError> {
    if let Some(f) = from {
        return rows_from(project, f);
    }
    let mut conn = connect(&database_url(cli)?).await?;
    let rows = conn
        .version_rows(&stratum_db::VersionTable::from_config(&project.config))
        .await?;
    conn.close().await;
    Ok(rows)
}

/// The rows `--sql` starts from: `FROM` of a range, else `--from`, else none.
fn offline_rows(
    project: &Project,
    start: Option<&str>,
    from: &Option<String>,
) -> Result<Vec<String>, CliError> {
    match (start, from) {
        (Some(s), _) => rows_from(project, s),
        (None, Some(f)) => rows_from(project, f),
        (None, None) => Ok(Vec::new()),
    }
}

fn print_sql(
    cli: &Cli,
    project: &Project,
    plan: &Plan,
    dialect_arg: &Option<String>,
    per_revision: bool,
    out: &Out,
) -> Result<(), CliError> {
    let d = sql_dialect(cli, given_dialect(dialect_arg.as_deref())?)?;
    let sql = render_offline(project, plan, d, per_revision)?;
    out.raw(&json!({ "dialect": d, "sql": sql, "plan": plan }), &sql);
    Ok(())
}

pub async fn migrate(cli: &Cli, a: &MigrateArgs, up: bool, out: &Out) -> Result<(), CliError> {
    let project = open_project(cli)?;
    let plan_for = |rows: &[String], target: &str| -> Result<Plan, CliError> {
        Ok(if up {
            project.map.plan_upgrade(rows, target)?
        } else {
            project.map.plan_downgrade(rows, target)?
        })
    };
    let per_revision = a.transaction_per_revision || project.config.run.transaction_per_revision;
    if a.sql && project.alembic().is_some() {
        if a.from.is_some() {
            return Err(CliError::Input(
                "with --sql an Alembic project starts from FROM:TO, as in Alembic".into(),
            ));
        }
        let verb = if up { "upgrade" } else { "downgrade" };
        return crate::alembic_cmds::sql(
            cli,
            &project,
            verb,
            vec![json!(a.target)],
            given_dialect(a.dialect.as_deref())?,
            out,
        )
        .await;
    }
    if a.sql {
        let (start, target) = split_range(&a.target)?;
        if !up && start.is_none() {
            return Err(CliError::Input(
                "downgrade with --sql needs FROM:TO, e.g. 003:002".into(),
            ));
        }
        let rows = offline_rows(&project, start, &a.from)?;
        return print_sql(
            cli,
            &project,
            &plan_for(&rows, target)?,
            &a.dialect,
            per_revision,
            out,
        );
    }
    if split_range(&a.target)?.0.is_some() {
        return Err(CliError::Input(
            "a FROM:TO range is only allowed with --sql".into(),
        ));
    }
    if a.plan {
        let rows = planning_rows(cli, &project, &a.from).await?;
        print_plan(&plan_for(&rows, &a.target)?, out);
        return Ok(());
    }
    if a.from.is_some() {
        return Err(CliError::Input(
            "--from plans without a database; use it with --plan or --sql".into(),
        ));
    }
    let op = if up {
        Operation::Upgrade(a.target.clone())
    } else {
        Operation::Downgrade(a.target.clone())
    };
    let tools = backup_tools(cli, &project.config);
    if a.dry_run {
        return rehearse(cli, &project, op, per_revision, &tools, out).await;
    }
    if a.backup {
        let url = database_url(cli)?;
        let path = crate::backup_cmds::default_path(&a.backup_dir, &url, "");
        let vt = stratum_db::VersionTable::from_config(&project.config);
        crate::backup_cmds::take_backup(&url, &tools, &vt, &path).await?;
    }
    let resume = a.resume.then_some(stratum_db::Resume {
        doubtful_ran: match (a.statement_ran, a.statement_not_ran) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        only: false,
    });
    execute(cli, &project, op, per_revision, a.lock_wait, resume, out).await
}

pub async fn stamp(cli: &Cli, a: &StampArgs, out: &Out) -> Result<(), CliError> {
    let project = open_project(cli)?;
    if a.sql && project.alembic().is_some() {
        return crate::alembic_cmds::sql(
            cli,
            &project,
            "stamp",
            vec![json!(a.targets)],
            given_dialect(a.dialect.as_deref())?,
            out,
        )
        .await;
    }
    if a.sql {
        if a.purge {
            return Err(CliError::Input("--purge cannot be used with --sql".into()));
        }
        let mut start: Option<&str> = None;
        let mut targets = Vec::new();
        for t in &a.targets {
            let (s, t) = split_range(t)?;
            if let Some(s) = s {
                if start.is_some_and(|x| x != s) {
                    return Err(CliError::Input(
                        "stamp with --sql takes a single starting revision".into(),
                    ));
                }
                start = Some(s);
            }
            targets.push(t.to_string());
        }
        let rows = offline_rows(&project, start, &a.from)?;
        let plan = project.map.plan_stamp(&rows, &targets, false)?;
        let per_revision = project.config.run.transaction_per_revision;
        return print_sql(cli, &project, &plan, &a.dialect, per_revision, out);
    }
    if a.plan {
        let rows = planning_rows(cli, &project, &a.from).await?;
        print_plan(&project.map.plan_stamp(&rows, &a.targets, a.purge)?, out);
        return Ok(());
    }
    let op = Operation::Stamp {
        targets: a.targets.clone(),
        purge: a.purge,
    };
    execute(
        cli,
        &project,
        op,
        project.config.run.transaction_per_revision,
        60,
        None,
        out,
    )
    .await
}

async fn execute(
    cli: &Cli,
    project: &Project,
    op: Operation,
    per_revision: bool,
    lock_wait: u64,
    resume: Option<stratum_db::Resume>,
    out: &Out,
) -> Result<(), CliError> {
    let url = database_url(cli)?;
    let (verb, what) = stratum_operations::describe(&op);
    let span = tracing::info_span!("operation", db = %url, op = verb, to = %what);
    let runner = runner(cli, project)?;
    let mut conn = connect(&url).instrument(span.clone()).await?;
    let quiet = out.json;
    let messages: std::collections::HashMap<String, String> = project
        .files
        .iter()
        .map(|f| (f.id().to_string(), f.message.clone()))
        .collect();
    let opts = RunOptions {
        transaction_per_revision: per_revision,
        lock_wait: Duration::from_secs(lock_wait),
        progress: Some(Arc::new(move |p: &Progress| {
            if quiet {
                return;
            }
            match p {
                Progress::StepStarted {
                    index,
                    total,
                    revision,
                    direction,
                } => {
                    let msg = messages
                        .get(revision)
                        .map(|m| format!(", {m}"))
                        .unwrap_or_default();
                    let verb = match direction {
                        Direction::Upgrade => "upgrade",
                        Direction::Downgrade => "downgrade",
                        Direction::Stamp => "stamp",
                    };
                    crate::output::say(format_args!(
                        "[{}/{}] {verb} {revision}{msg}",
                        index + 1,
                        total
                    ));
                }
                Progress::Planned { steps: 0, .. } => crate::output::say("Nothing to do."),
                // An Alembic project's own output, as Alembic prints it.
                Progress::Output { line } => crate::output::say(line),
                Progress::LockWait { holder } => crate::output::say(format_args!(
                    "Waiting for the migration lock, held by {holder}"
                )),
                _ => {}
            }
        })),
        resume,
        ..RunOptions::default()
    };
    let opts = stratum_operations::logging::logged(opts);
    let cancel = opts.cancel.clone();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("Cancelling after the current statement...");
            cancel.cancel();
        }
    });
    let started = std::time::Instant::now();
    let result = runner
        .run(&mut conn, project, &op, &opts)
        .instrument(span.clone())
        .await;
    ctrl_c.abort();
    conn.close().await;
    span.in_scope(|| match &result {
        Ok(r) => {
            tracing::info!(ms = r.millis, rows = %r.rows_after.join(","), "operation succeeded")
        }
        Err(e) => {
            tracing::warn!(ms = stratum_db::elapsed_ms(started), error = %e, "operation failed")
        }
    });
    let report = result?;
    // Serialized only for --json: a plain run prints one line, not the JSON of every step.
    #[derive(serde::Serialize)]
    struct Done<'a> {
        ok: bool,
        report: &'a stratum_db::RunReport,
    }
    let done = Done {
        ok: true,
        report: &report,
    };
    out.result(&done, || {
        format!(
            "Done: {} step(s) in {} ms; version rows [{}] -> [{}]",
            report.plan.steps.len(),
            report.millis,
            report.rows_before.join(", "),
            report.rows_after.join(", ")
        )
    });
    Ok(())
}

async fn rehearse(
    cli: &Cli,
    project: &Project,
    op: Operation,
    per_revision: bool,
    tools: &stratum_backup::Tools,
    out: &Out,
) -> Result<(), CliError> {
    let opts = RunOptions {
        transaction_per_revision: per_revision,
        ..RunOptions::default()
    };
    let runner = runner(cli, project)?;
    let dry = stratum_backup::dry_run(
        &database_url(cli)?,
        project,
        &op,
        tools,
        opts,
        runner.as_ref(),
    )
    .await?;
    let how = dry.method.describe();
    match dry.outcome {
        Ok(report) => {
            out.result(
                &json!({ "ok": true, "dry_run": { "method": how, "report": report } }),
                || {
                    format!(
                        "Dry run succeeded ({how}): {} step(s) would take the database from [{}] to [{}]. Nothing was changed.",
                        report.plan.steps.len(),
                        report.rows_before.join(", "),
                        report.rows_after.join(", ")
                    )
                },
            );
            Ok(())
        }
        Err(stratum_db::DbError::Failed(f)) => Err(CliError::RunFailed {
            message: format!("dry run failed ({how}); nothing was changed: {f}"),
            failure: f,
        }),
        Err(e) => Err(e.into()),
    }
}
