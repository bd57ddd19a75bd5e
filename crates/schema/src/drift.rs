//! Drift: the live database against the schema its own version rows say it should have. That
//! schema is built for real, on a scratch database of the same engine (the project's revisions
//! run up to the database's rows), read back, compared, and dropped.

use std::time::Duration;

use serde::Serialize;
use stratum_db::{
    create_scratch, drop_scratch, Connection, DatabaseUrl, Operation, RunOptions, Runner,
    VersionTable,
};
use stratum_project::Project;

use crate::{diff, introspect, Difference, Schema, SchemaError};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Drift {
    /// The version rows the expected schema was built to.
    pub rows: Vec<String>,
    pub differences: Vec<Difference>,
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

fn failed(what: &str, e: impl std::fmt::Display) -> SchemaError {
    SchemaError::Catalog {
        what: what.into(),
        message: e.to_string(),
    }
}

/// The schema the project's revisions produce at `rows`, built on a scratch database beside `url`.
/// `runner` builds it: Stratum's own for native projects, the project's Alembic otherwise.
pub async fn expected_schema(
    url: &DatabaseUrl,
    project: &Project,
    rows: &[String],
    runner: &dyn Runner,
) -> Result<Schema, SchemaError> {
    let scratch = create_scratch(url, "drift")
        .await
        .map_err(|e| failed("scratch database", e))?;
    let built = async {
        let mut conn = Connection::connect(&scratch, CONNECT_TIMEOUT)
            .await
            .map_err(|e| failed("scratch database", e))?;
        let mut result = Ok(());
        for row in rows {
            let op = Operation::Upgrade(row.clone());
            if let Err(e) = runner
                .run(&mut conn, project, &op, &RunOptions::default())
                .await
            {
                result = Err(failed(&format!("the revisions up to {row}"), e));
                break;
            }
        }
        let schema = match result {
            Ok(()) => introspect(&mut conn).await,
            Err(e) => Err(e),
        };
        conn.close().await;
        schema
    }
    .await;
    drop_scratch(url, &scratch).await;
    built
}

/// What differs between the live database and what its version rows say it should be.
pub async fn drift(
    url: &DatabaseUrl,
    project: &Project,
    runner: &dyn Runner,
) -> Result<Drift, SchemaError> {
    let mut conn = Connection::connect(url, CONNECT_TIMEOUT)
        .await
        .map_err(|e| failed("database", e))?;
    let read = async {
        let rows = conn
            .version_rows(&VersionTable::from_config(&project.config))
            .await
            .map_err(|e| failed("version rows", e))?;
        Ok::<_, SchemaError>((rows, introspect(&mut conn).await?))
    }
    .await;
    conn.close().await;
    let (rows, live) = read?;
    let expected = expected_schema(url, project, &rows, runner).await?;
    Ok(Drift {
        differences: diff(
            &live,
            &expected,
            "the database",
            "what its revisions produce",
        ),
        rows,
    })
}
