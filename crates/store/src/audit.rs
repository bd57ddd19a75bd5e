//! The audit log: one entry per operation run against a database, kept after its profile is
//! deleted.

use std::collections::HashMap;

use serde::Serialize;

use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub who: String,
    pub profile_id: Option<i64>,
    pub profile_name: String,
    pub operation: String,
    pub target: String,
    pub rows_before: String,
    pub rows_after: String,
    pub duration_ms: i64,
    pub result: String,
    pub message: String,
    /// The path of the backup taken before the operation, or empty.
    pub backup: String,
    /// One `REVISION SHA256` per line: the files of the revisions the run applied.
    pub files: String,
    /// What the release gate said, or empty where none applies.
    pub gate: String,
}

impl Store {
    /// Records one operation in the audit log.
    pub async fn record(&self, e: &AuditEntry) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (at, who, profile_id, profile_name, operation, target, rows_before, rows_after, duration_ms, result, message, backup, files, gate) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&e.at)
        .bind(&e.who)
        .bind(e.profile_id)
        .bind(&e.profile_name)
        .bind(&e.operation)
        .bind(&e.target)
        .bind(&e.rows_before)
        .bind(&e.rows_after)
        .bind(e.duration_ms)
        .bind(&e.result)
        .bind(&e.message)
        .bind(&e.backup)
        .bind(&e.files)
        .bind(&e.gate)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The audit log, newest first, optionally for one profile.
    pub async fn audit(&self, profile_id: Option<i64>) -> Result<Vec<AuditEntry>, StoreError> {
        let q = match profile_id {
            Some(id) => sqlx::query_as::<_, AuditEntry>(
                "SELECT * FROM audit_log WHERE profile_id = ? ORDER BY id DESC",
            )
            .bind(id),
            None => sqlx::query_as::<_, AuditEntry>("SELECT * FROM audit_log ORDER BY id DESC"),
        };
        Ok(q.fetch_all(&self.pool).await?)
    }

    /// The successful runs of `operation` (upgrade or downgrade) on these profiles, newest
    /// first: where the release gate looks for the same revisions run before on development
    /// or staging.
    pub async fn runs_of(
        &self,
        profile_ids: &[i64],
        operation: &str,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let ids = format!(
            "[{}]",
            profile_ids
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        Ok(sqlx::query_as::<_, AuditEntry>(
            "SELECT * FROM audit_log WHERE operation = ? AND result = 'succeeded' AND files <> '' \
             AND profile_id IN (SELECT value FROM json_each(?)) ORDER BY id DESC",
        )
        .bind(operation)
        .bind(ids)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Each profile's newest upgrade, downgrade, stamp or restore.
    pub async fn last_operations(&self) -> Result<HashMap<i64, AuditEntry>, StoreError> {
        let rows = sqlx::query_as::<_, AuditEntry>(
            "SELECT * FROM audit_log WHERE id IN (SELECT MAX(id) FROM audit_log WHERE profile_id IS NOT NULL AND operation IN ('upgrade', 'downgrade', 'stamp', 'restore') GROUP BY profile_id)",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|e| Some((e.profile_id?, e)))
            .collect())
    }
}
