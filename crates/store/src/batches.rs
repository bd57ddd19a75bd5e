//! Batch runs: one operation over many databases, with a report line per database, kept so a
//! batch's report can be read again after the run.

use std::collections::HashMap;

use serde::Serialize;

use crate::{Store, StoreError};

/// One batch run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchRecord {
    pub id: i64,
    pub at: String,
    pub who: String,
    pub operation: String,
    pub target: String,
    pub options: String,
    pub finished_at: Option<String>,
    pub duration_ms: i64,
}

/// How a batch's databases ended, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchTally {
    pub batch_id: i64,
    pub databases: i64,
    pub succeeded: i64,
    pub up_to_date: i64,
    pub failed: i64,
    pub skipped: i64,
    pub cancelled: i64,
}

/// One database's line in a batch's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchItem {
    pub id: i64,
    pub batch_id: i64,
    pub position: i64,
    pub profile_id: Option<i64>,
    pub profile_name: String,
    pub client: String,
    pub environment: String,
    pub rows_before: String,
    pub rows_after: String,
    /// The rows were read: empty ones are base, not unknown.
    pub rows_read: bool,
    pub backup: String,
    pub duration_ms: i64,
    /// succeeded, up to date, failed, skipped or cancelled.
    pub result: String,
    pub message: String,
}

impl Store {
    pub async fn add_batch(&self, b: &BatchRecord) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO batches (at, who, operation, target, options) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&b.at)
        .bind(&b.who)
        .bind(&b.operation)
        .bind(&b.target)
        .bind(&b.options)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn add_batch_item(&self, i: &BatchItem) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO batch_items (batch_id, position, profile_id, profile_name, client, environment, rows_before, rows_after, rows_read, backup, duration_ms, result, message) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(i.batch_id)
        .bind(i.position)
        .bind(i.profile_id)
        .bind(&i.profile_name)
        .bind(&i.client)
        .bind(&i.environment)
        .bind(&i.rows_before)
        .bind(&i.rows_after)
        .bind(i.rows_read)
        .bind(&i.backup)
        .bind(i.duration_ms)
        .bind(&i.result)
        .bind(&i.message)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn finish_batch(&self, id: i64, duration_ms: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE batches SET finished_at = ?, duration_ms = ? WHERE id = ?")
            .bind(Store::now())
            .bind(duration_ms)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A batch and its lines, in the order the databases were chosen.
    pub async fn batch(&self, id: i64) -> Result<(BatchRecord, Vec<BatchItem>), StoreError> {
        let b = sqlx::query_as::<_, BatchRecord>("SELECT * FROM batches WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NoBatch(id))?;
        let items = sqlx::query_as::<_, BatchItem>(
            "SELECT * FROM batch_items WHERE batch_id = ? ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok((b, items))
    }

    /// Each batch's lines counted by how they ended, so a list of batches can say which failed
    /// without loading every report.
    pub async fn batch_tallies(&self) -> Result<HashMap<i64, BatchTally>, StoreError> {
        let rows = sqlx::query_as::<_, BatchTally>(
            "SELECT batch_id, COUNT(*) AS databases, \
             SUM(result = 'succeeded') AS succeeded, SUM(result = 'up to date') AS up_to_date, \
             SUM(result = 'failed') AS failed, SUM(result = 'skipped') AS skipped, \
             SUM(result = 'cancelled') AS cancelled \
             FROM batch_items GROUP BY batch_id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|t| (t.batch_id, t)).collect())
    }

    /// Newest first.
    pub async fn batches(&self) -> Result<Vec<BatchRecord>, StoreError> {
        Ok(
            sqlx::query_as::<_, BatchRecord>("SELECT * FROM batches ORDER BY id DESC")
                .fetch_all(&self.pool)
                .await?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(batch_id: i64, position: i64, result: &str) -> BatchItem {
        BatchItem {
            id: 0,
            batch_id,
            position,
            profile_id: None,
            profile_name: format!("db-{position}"),
            client: String::new(),
            environment: "staging".into(),
            rows_before: String::new(),
            rows_after: String::new(),
            rows_read: true,
            backup: String::new(),
            duration_ms: 1,
            result: result.into(),
            message: String::new(),
        }
    }

    #[tokio::test]
    async fn each_batch_is_counted_by_how_its_databases_ended() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = Store::open(&dir.path().join("stratum.db"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let batch = |operation: &str| BatchRecord {
            id: 0,
            at: Store::now(),
            who: "kari".into(),
            operation: operation.into(),
            target: "heads".into(),
            options: String::new(),
            finished_at: None,
            duration_ms: 0,
        };
        let first = store
            .add_batch(&batch("upgrade"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let second = store
            .add_batch(&batch("upgrade"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let lines = [
            (first, "succeeded"),
            (first, "succeeded"),
            (first, "up to date"),
            (first, "failed"),
            (first, "skipped"),
            (second, "cancelled"),
        ];
        for (position, (batch_id, result)) in lines.iter().enumerate() {
            let position = i64::try_from(position).unwrap_or_default();
            store
                .add_batch_item(&item(*batch_id, position, result))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let tallies = store
            .batch_tallies()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            tallies.get(&first),
            Some(&BatchTally {
                batch_id: first,
                databases: 5,
                succeeded: 2,
                up_to_date: 1,
                failed: 1,
                skipped: 1,
                cancelled: 0,
            })
        );
        assert_eq!(
            tallies.get(&second).map(|t| (t.databases, t.cancelled)),
            Some((1, 1))
        );
    }
}
