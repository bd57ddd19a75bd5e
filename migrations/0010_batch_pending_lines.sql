-- A batch writes every chosen database's line at its start as 'pending' and replaces it when the
-- database ends, so a batch whose process was killed still says which databases never ran.
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt with 'pending' allowed
-- and one line per position (a line is replaced, never added twice); an older store that
-- somehow holds two lines for a position keeps the later one.
CREATE TABLE batch_items_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id INTEGER NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    profile_id INTEGER REFERENCES profiles (id) ON DELETE SET NULL,
    profile_name TEXT NOT NULL,
    client TEXT NOT NULL,
    environment TEXT NOT NULL,
    rows_before TEXT NOT NULL,
    rows_after TEXT NOT NULL,
    -- Whether the rows were read (empty rows then mean base; unread, unknown).
    rows_read INTEGER NOT NULL DEFAULT 0,
    -- The backup taken before the run, or empty.
    backup TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('pending', 'succeeded', 'up to date', 'failed', 'skipped', 'cancelled')),
    message TEXT NOT NULL
);

INSERT INTO batch_items_new (id, batch_id, position, profile_id, profile_name, client, environment, rows_before, rows_after, rows_read, backup, duration_ms, result, message)
SELECT id, batch_id, position, profile_id, profile_name, client, environment, rows_before, rows_after, rows_read, backup, duration_ms, result, message
FROM batch_items
WHERE id IN (SELECT MAX(id) FROM batch_items GROUP BY batch_id, position);

DROP TABLE batch_items;

ALTER TABLE batch_items_new RENAME TO batch_items;

-- Also serves what ix_batch_items_batch_id did (lines by batch).
CREATE UNIQUE INDEX ux_batch_items_position ON batch_items (batch_id, position);
