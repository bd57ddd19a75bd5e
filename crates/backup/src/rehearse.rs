//! Dry runs. Where DDL is transactional and every revision runs in a transaction, the plan
//! runs for real inside one transaction that is rolled back. Elsewhere (MySQL commits each DDL
//! statement; a `-- transaction: false` revision commits itself) it is rehearsed on a scratch
//! copy made from a schema-only dump, which is dropped afterwards.

use std::time::Duration;

use stratum_db::{
    create_scratch, drop_scratch, Connection, DatabaseUrl, DbError, Engine, Operation, RunOptions,
    RunReport, Runner, VersionTable,
};
use stratum_project::Project;

use crate::tools::Tools;
use crate::BackupError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// Run inside one transaction on the database itself, then rolled back.
    RolledBack,
    /// Run on a scratch database (a schema-only copy; a full copy of an SQLite file), then
    /// dropped.
    ScratchCopy { reason: String, copy: &'static str },
}

impl Method {
    pub fn describe(&self) -> String {
        match self {
            Method::RolledBack => {
                "ran inside one transaction on the database and rolled it back".into()
            }
            Method::ScratchCopy { reason, copy } => {
                format!("rehearsed on {copy}, then dropped it, because {reason}")
            }
        }
    }
}

#[derive(Debug)]
pub struct DryRun {
    pub method: Method,
    /// The run's report, or its failure (`DbError::Failed` names revision, statement, message).
    pub outcome: Result<RunReport, DbError>,
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// `runner` runs the plan (Stratum's own, or an Alembic project's Alembic); a runner that
/// cannot roll back says so with [`DbError::DryRunImpossible`], and the plan is rehearsed on
/// a scratch copy instead.
pub async fn dry_run(
    url: &DatabaseUrl,
    project: &Project,
    op: &Operation,
    tools: &Tools,
    opts: RunOptions,
    runner: &dyn Runner,
) -> Result<DryRun, BackupError> {
    let mut conn = Connection::connect(url, CONNECT_TIMEOUT).await?;
    let in_tx = RunOptions {
        dry_run: true,
        ..opts.clone()
    };
    let outcome = runner.run(&mut conn, project, op, &in_tx).await;
    conn.close().await;
    let reason = match outcome {
        Err(DbError::DryRunImpossible(reason)) => reason,
        outcome => {
            return Ok(DryRun {
                method: Method::RolledBack,
                outcome,
            })
        }
    };
    let vt = VersionTable::from_config(&project.config);
    let scratch = scratch_copy(url, &vt, tools, "dryrun", false).await?;
    let outcome = async {
        let mut conn = Connection::connect(&scratch, CONNECT_TIMEOUT).await?;
        let r = runner.run(&mut conn, project, op, &opts).await;
        conn.close().await;
        r
    }
    .await;
    drop_scratch(url, &scratch).await;
    let copy = if url.engine == Engine::Sqlite {
        "a scratch copy of the database file"
    } else {
        "a scratch copy of the schema (without its rows)"
    };
    Ok(DryRun {
        method: Method::ScratchCopy { reason, copy },
        outcome,
    })
}

/// A new database with the schema of `url` and its version rows, and its rows too when
/// `with_data` (SQLite: always a copy of the whole file), named after `url`'s with `label`.
/// The caller drops it.
pub async fn scratch_copy(
    url: &DatabaseUrl,
    vt: &VersionTable,
    tools: &Tools,
    label: &str,
    with_data: bool,
) -> Result<DatabaseUrl, BackupError> {
    let mut conn = Connection::connect(url, CONNECT_TIMEOUT).await?;
    let rows = conn.version_rows(vt).await?;
    let scratch = create_scratch(url, label).await;
    let scratch = match scratch {
        Ok(s) => s,
        Err(e) => {
            conn.close().await;
            return Err(e.into());
        }
    };
    if url.engine == Engine::Sqlite {
        let path = scratch.path.clone().unwrap_or_default();
        let lit = stratum_db::literal(Engine::Sqlite.dialect(), &path.display().to_string());
        let copied = conn
            .execute(&format!("VACUUM INTO {lit}"))
            .await
            .map_err(|e| DbError::query("copying the SQLite database", e));
        conn.close().await;
        copied?;
        return Ok(scratch);
    }
    conn.close().await;
    let name = scratch.database.clone();
    let schema = std::env::temp_dir().join(format!("{name}.schema"));
    let copied = async {
        if url.engine == Engine::Postgres {
            let dump = tools.find(&["pg_dump"], Engine::Postgres)?;
            let mut cmd = dump.command(url);
            if !with_data {
                cmd.arg("--schema-only");
            }
            cmd.args(["--format=custom", "--file"])
                .arg(&schema)
                .arg("--dbname")
                .arg(&url.database);
            dump.run(cmd, url, None).await?;
            let restore = tools.find(&["pg_restore"], Engine::Postgres)?;
            let mut cmd = restore.command(&scratch);
            cmd.args(["--no-owner", "--exit-on-error", "--dbname"])
                .arg(&name)
                .arg(&schema);
            restore.run(cmd, &scratch, None).await?;
        } else {
            let dump = tools.find(&["mysqldump", "mariadb-dump"], Engine::MySql)?;
            let mut cmd = dump.command(url);
            if !with_data {
                cmd.arg("--no-data");
            }
            cmd.args([
                "--routines",
                "--triggers",
                "--events",
                "--no-tablespaces",
                "--single-transaction",
            ])
            .arg(format!("--result-file={}", schema.display()))
            .arg(&url.database);
            dump.run(cmd, url, None).await?;
            let load = tools.find(&["mysql", "mariadb"], Engine::MySql)?;
            let mut cmd = load.command(url);
            cmd.arg(&name);
            load.run(cmd, url, Some(&schema)).await?;
        }
        // A schema-only copy has the version table but not its rows.
        let mut c = Connection::connect(&scratch, CONNECT_TIMEOUT).await?;
        for row in rows.iter().filter(|_| !with_data) {
            c.execute(&vt.insert(url.dialect(), row, false))
                .await
                .map_err(|e| DbError::query("copying the version rows", e))?;
        }
        c.close().await;
        Ok::<(), BackupError>(())
    }
    .await;
    let _ = std::fs::remove_file(&schema);
    if let Err(e) = copied {
        drop_scratch(url, &scratch).await;
        return Err(e);
    }
    Ok(scratch)
}
