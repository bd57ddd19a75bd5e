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
    /// Lines still waiting: in a batch that never finished, databases it did not get to.
    pub pending: i64,
}

impl BatchRecord {
    /// Never finished, with databases it did not get to: its process was killed (or it is still
    /// running in another window or terminal, which the store cannot tell apart).
    pub fn interrupted(&self, tally: &BatchTally) -> bool {
        self.finished_at.is_none() && tally.pending > 0
    }
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
    /// pending (written at the batch's start, replaced when the database ends), succeeded, up
    /// to date, failed, skipped or cancelled.
    pub result: String,
    pub message: String,
}

impl Store {
    pub async fn add_batch(&self, b: &BatchRecord) -> Result<i64, StoreError> {
        self.start_batch(b, &[], None).await
    }

    /// A batch and a line per chosen database (each `pending`), in one transaction: a batch
    /// whose process is killed later still says which databases it never got to. With
    /// `rest_of`, the new batch runs what that interrupted batch left pending: its pending
    /// lines become skipped, saying which batch ran them (or that they were left out), in the
    /// same transaction, so it is offered no more once (and only if) the new batch exists.
    pub async fn start_batch(
        &self,
        b: &BatchRecord,
        lines: &[BatchItem],
        rest_of: Option<i64>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO batches (at, who, operation, target, options) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&b.at)
        .bind(&b.who)
        .bind(&b.operation)
        .bind(&b.target)
        .bind(&b.options)
        .fetch_one(&mut *tx)
        .await?;
        for line in lines {
            put_item(
                &mut tx,
                &BatchItem {
                    batch_id: id,
                    ..line.clone()
                },
            )
            .await?;
        }
        if let Some(old) = rest_of {
            let ran: Vec<i64> = lines.iter().filter_map(|l| l.profile_id).collect();
            hand_on(&mut tx, old, id, &ran).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Writes a database's line, replacing the one at its position (its `pending` line).
    pub async fn add_batch_item(&self, i: &BatchItem) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        put_item(&mut conn, i).await
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
             SUM(result = 'cancelled') AS cancelled, SUM(result = 'pending') AS pending \
             FROM batch_items GROUP BY batch_id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|t| (t.batch_id, t)).collect())
    }

    /// Batches that never finished and left databases pending, newest first, with their lines.
    pub async fn interrupted_batches(
        &self,
    ) -> Result<Vec<(BatchRecord, Vec<BatchItem>)>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM batches b WHERE finished_at IS NULL \
             AND EXISTS (SELECT 1 FROM batch_items i WHERE i.batch_id = b.id AND i.result = 'pending') \
             ORDER BY id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut all = Vec::with_capacity(ids.len());
        for id in ids {
            all.push(self.batch(id).await?);
        }
        Ok(all)
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

/// Batch `new` runs what batch `old` left pending (`ran`: the profiles it runs): `old`'s pending
/// lines become skipped, saying which batch ran them or that they were left out.
async fn hand_on(
    conn: &mut sqlx::SqliteConnection,
    old: i64,
    new: i64,
    ran: &[i64],
) -> Result<u64, StoreError> {
    // Numbers only, so this is a JSON array for json_each.
    let ran = format!(
        "[{}]",
        ran.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    );
    let done = sqlx::query(
        "UPDATE batch_items SET result = 'skipped', message = CASE \
         WHEN profile_id IN (SELECT value FROM json_each(?)) THEN 'not run here: run by batch #' || ? \
         ELSE 'not run: left out when batch #' || ? || ' ran the rest' END \
         WHERE batch_id = ? AND result = 'pending'",
    )
    .bind(ran)
    .bind(new)
    .bind(new)
    .bind(old)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Inserts a line, or replaces the one at its position (one line per position: a unique index).
async fn put_item(conn: &mut sqlx::SqliteConnection, i: &BatchItem) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO batch_items (batch_id, position, profile_id, profile_name, client, environment, rows_before, rows_after, rows_read, backup, duration_ms, result, message) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (batch_id, position) DO UPDATE SET profile_id = excluded.profile_id, \
         profile_name = excluded.profile_name, client = excluded.client, environment = excluded.environment, \
         rows_before = excluded.rows_before, rows_after = excluded.rows_after, rows_read = excluded.rows_read, \
         backup = excluded.backup, duration_ms = excluded.duration_ms, result = excluded.result, \
         message = excluded.message",
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
    .execute(conn)
    .await?;
    Ok(())
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
                pending: 0,
            })
        );
        assert_eq!(
            tallies.get(&second).map(|t| (t.databases, t.cancelled)),
            Some((1, 1))
        );
    }

    #[tokio::test]
    async fn a_killed_batch_keeps_its_pending_lines_until_another_batch_runs_the_rest() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = Store::open(&dir.path().join("stratum.db"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let record = BatchRecord {
            id: 0,
            at: Store::now(),
            who: "kari".into(),
            operation: "upgrade".into(),
            target: "head".into(),
            options: String::new(),
            finished_at: None,
            duration_ms: 0,
        };
        let mut pending = Vec::new();
        for position in 0..4 {
            let p = store
                .add_profile(&crate::NewProfile {
                    name: format!("db-{position}"),
                    environment: "staging".into(),
                    url: format!("sqlite:///{position}.db"),
                    project_dir: "/p".into(),
                    ..Default::default()
                })
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            pending.push(BatchItem {
                profile_id: Some(p.id),
                ..item(0, position, "pending")
            });
        }
        let id = store
            .start_batch(&record, &pending, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // Two databases end; then the process dies.
        for (position, result) in [(0, "succeeded"), (2, "failed")] {
            let line = BatchItem {
                batch_id: id,
                result: result.into(),
                ..pending[position].clone()
            };
            store
                .add_batch_item(&line)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let (b, lines) = store.batch(id).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            lines
                .iter()
                .map(|l| (l.position, l.result.as_str()))
                .collect::<Vec<_>>(),
            [
                (0, "succeeded"),
                (1, "pending"),
                (2, "failed"),
                (3, "pending")
            ],
            "one line per position, replaced as each database ends"
        );
        let tallies = store
            .batch_tallies()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let tally = tallies.get(&id).cloned().unwrap_or_default();
        assert_eq!(
            (
                tally.databases,
                tally.succeeded,
                tally.failed,
                tally.pending
            ),
            (4, 1, 1, 2)
        );
        assert!(b.interrupted(&tally));
        let interrupted = store
            .interrupted_batches()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            interrupted.iter().map(|(b, _)| b.id).collect::<Vec<_>>(),
            [id]
        );

        // A finished batch is not interrupted, whatever its lines.
        let finished = store
            .start_batch(&record, &pending, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        store
            .finish_batch(finished, 10)
            .await
            .unwrap_or_else(|e| panic!("{e}"));

        // A new batch runs position 1's database; position 3's was left out.
        let rest = store
            .start_batch(&record, &[pending[1].clone()], Some(id))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let (_, lines) = store.batch(id).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (lines[1].result.as_str(), lines[1].message.clone()),
            ("skipped", format!("not run here: run by batch #{rest}"))
        );
        assert_eq!(
            (lines[3].result.as_str(), lines[3].message.clone()),
            (
                "skipped",
                format!("not run: left out when batch #{rest} ran the rest")
            )
        );
        assert_eq!(lines[0].result, "succeeded", "finished lines are kept");
        let left: Vec<i64> = store
            .interrupted_batches()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|(b, _)| b.id)
            .collect();
        assert_eq!(left, [rest], "batch #{id} is no longer offered");
    }
}
