//! Drift checks: how far a profile's live schema is from what its revisions produce. Only the
//! latest check per profile is kept, for the fleet view.

use std::collections::HashMap;

use serde::Serialize;

use crate::{Store, StoreError};

/// The latest drift check of a profile's database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DriftCheck {
    pub profile_id: i64,
    pub at: String,
    /// How many objects differ; -1 when the check itself failed (`summary` says why).
    pub differences: i64,
    pub summary: String,
}

impl Store {
    pub async fn record_drift(&self, d: &DriftCheck) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO drift_checks (profile_id, at, differences, summary) VALUES (?, ?, ?, ?) \
             ON CONFLICT (profile_id) DO UPDATE SET at = excluded.at, differences = excluded.differences, summary = excluded.summary",
        )
        .bind(d.profile_id)
        .bind(&d.at)
        .bind(d.differences)
        .bind(&d.summary)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn drift_checks(&self) -> Result<HashMap<i64, DriftCheck>, StoreError> {
        let rows = sqlx::query_as::<_, DriftCheck>("SELECT * FROM drift_checks")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|d| (d.profile_id, d)).collect())
    }
}
