//! The schema explorer's engine: what is in a database, read from its catalog in a handful of
//! queries (never one per table), in one engine-neutral model.

mod audit;
mod diff;
mod drift;
mod model;
mod mysql;
mod postgres;
mod provenance;
mod rows;
mod sqlite;

pub use audit::{tenant_audit, AuditFinding};
pub use diff::{diff, Difference};
pub use drift::{drift, expected_schema, Drift};
pub use model::*;
pub use provenance::{Origin, Provenance};

use stratum_db::{Connection, Engine};

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("reading the {what} from the catalog failed: {message}")]
    Catalog { what: String, message: String },
}

/// Reads every table, column, key, index, foreign key, view, sequence and enum type; Stratum's
/// own journal of interrupted revisions is bookkeeping, not the application's schema, and is
/// left out (so a rehearsal, a drift check or a tenant audit never trips over it).
pub async fn introspect(conn: &mut Connection) -> Result<Schema, SchemaError> {
    let mut schema = match conn.engine() {
        Engine::Postgres => postgres::introspect(conn).await,
        Engine::MySql => mysql::introspect(conn).await,
        Engine::Sqlite => sqlite::introspect(conn).await,
    }?;
    schema
        .tables
        .retain(|t| !t.name.eq_ignore_ascii_case(stratum_db::JOURNAL_TABLE));
    Ok(schema)
}
