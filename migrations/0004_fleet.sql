-- Many databases at once: tags to filter profiles by, the last drift check of each, and batch
-- runs with a report line per database.
ALTER TABLE profiles ADD COLUMN tags TEXT NOT NULL DEFAULT '';

CREATE TABLE drift_checks (
    profile_id INTEGER PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    -- How many objects differ from what the revisions produce; -1 when the check failed.
    differences INTEGER NOT NULL,
    summary TEXT NOT NULL
);

CREATE TABLE batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    operation TEXT NOT NULL,
    target TEXT NOT NULL,
    -- Concurrency, stop on first failure, ... in words.
    options TEXT NOT NULL,
    finished_at TEXT,
    duration_ms INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE batch_items (
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
    result TEXT NOT NULL CHECK (result IN ('succeeded', 'up to date', 'failed', 'skipped', 'cancelled')),
    message TEXT NOT NULL
);

CREATE INDEX ix_batch_items_batch_id ON batch_items (batch_id);
