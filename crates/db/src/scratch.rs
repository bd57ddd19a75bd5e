//! Scratch databases: made beside the real one for a rehearsal or a comparison, dropped after.

use std::time::Duration;

use crate::{Connection, DatabaseUrl, DbError, Engine};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

fn scratch_name(base: &str, label: &str) -> String {
    let suffix = format!("_{label}_{}", chrono_free_stamp());
    let base: String = base
        .chars()
        .take(63usize.saturating_sub(suffix.len()))
        .collect();
    format!("{base}{suffix}")
}

/// Milliseconds since the epoch: unique enough for scratch names, no clock crate needed.
fn chrono_free_stamp() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis().to_string())
        .unwrap_or_default()
}

/// A connection that may create and drop databases.
async fn admin(url: &DatabaseUrl) -> Result<Connection, DbError> {
    let mut admin = url.clone();
    admin.schema = None;
    if url.engine == Engine::Postgres {
        admin.database = "postgres".into();
    }
    Connection::connect(&admin, CONNECT_TIMEOUT).await
}

/// Where a scratch database beside `url` would be, named after `url`'s, without making it: for
/// a caller that has it made another way (a backup restored into it). [`drop_scratch`] drops it.
pub fn scratch_url(url: &DatabaseUrl, label: &str) -> DatabaseUrl {
    let mut scratch = url.clone();
    if url.engine == Engine::Sqlite {
        let path = std::env::temp_dir().join(format!("{}.db", scratch_name("stratum", label)));
        scratch.path = Some(path);
    } else {
        scratch.database = scratch_name(&url.database, label);
    }
    scratch
}

/// An empty database on the same server (a temporary file for SQLite), named after `url`'s.
pub async fn create_scratch(url: &DatabaseUrl, label: &str) -> Result<DatabaseUrl, DbError> {
    let mut scratch = url.clone();
    if url.engine == Engine::Sqlite {
        return Ok(scratch_url(url, label));
    }
    let name = scratch_name(&url.database, label);
    let mut conn = admin(url).await?;
    let made = conn
        .execute(&format!(
            "CREATE DATABASE {}",
            crate::quote(url.dialect(), &name)
        ))
        .await
        .map_err(|e| DbError::query("creating a scratch database", e));
    conn.close().await;
    made?;
    scratch.database = name;
    // A tenant's schema, empty, under the same name: what runs there lands as it would live.
    if let Some(schema) = &url.schema {
        let mut bare = scratch.clone();
        bare.schema = None;
        let mut conn = Connection::connect(&bare, CONNECT_TIMEOUT).await?;
        let made = conn
            .execute(&format!(
                "CREATE SCHEMA {}",
                crate::quote(url.dialect(), schema)
            ))
            .await
            .map_err(|e| DbError::query("creating the tenant's schema in a scratch database", e));
        conn.close().await;
        if let Err(e) = made {
            drop_scratch(url, &scratch).await;
            return Err(e);
        }
    }
    Ok(scratch)
}

/// Drops a scratch database made by [`create_scratch`]; failures are ignored (nothing of the
/// user's is in it).
pub async fn drop_scratch(url: &DatabaseUrl, scratch: &DatabaseUrl) {
    match url.engine {
        Engine::Sqlite => {
            if let Some(p) = &scratch.path {
                let _ = std::fs::remove_file(p);
            }
        }
        Engine::Postgres | Engine::MySql => {
            if let Ok(mut c) = admin(url).await {
                let force = if url.engine == Engine::Postgres {
                    " WITH (FORCE)"
                } else {
                    ""
                };
                let sql = format!(
                    "DROP DATABASE IF EXISTS {}{force}",
                    crate::quote(url.dialect(), &scratch.database)
                );
                let _ = c.execute(&sql).await;
                c.close().await;
            }
        }
    }
}
