//! Check-ups: the latest per profile, for the fleet view's check-up column.

use std::collections::HashMap;

use serde::Serialize;

use crate::{Store, StoreError};

/// A profile's latest check-up, in short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CheckupRecord {
    pub profile_id: i64,
    pub at: String,
    /// "passed", "warning" or "failed".
    pub verdict: String,
    pub failed: i64,
    pub warnings: i64,
    /// The items that did not pass, in words.
    pub summary: String,
}

impl Store {
    pub async fn record_checkup(&self, c: &CheckupRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO checkups (profile_id, at, verdict, failed, warnings, summary) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (profile_id) DO UPDATE SET at = excluded.at, verdict = excluded.verdict, failed = excluded.failed, warnings = excluded.warnings, summary = excluded.summary",
        )
        .bind(c.profile_id)
        .bind(&c.at)
        .bind(&c.verdict)
        .bind(c.failed)
        .bind(c.warnings)
        .bind(&c.summary)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn checkups(&self) -> Result<HashMap<i64, CheckupRecord>, StoreError> {
        let rows = sqlx::query_as::<_, CheckupRecord>("SELECT * FROM checkups")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|c| (c.profile_id, c)).collect())
    }
}
