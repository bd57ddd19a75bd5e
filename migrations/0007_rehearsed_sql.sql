-- What each revision of an Alembic project sent to the database while rehearsed: the SQL a
-- preview, the safety checks and provenance show for a revision Alembic's offline mode cannot
-- render (one that reads the database), as long as its file is unchanged (same SHA-256).
CREATE TABLE rehearsed_sql (
    rehearsal_id INTEGER NOT NULL REFERENCES rehearsals (id) ON DELETE CASCADE,
    revision TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    -- postgresql, mysql or sqlite: the engine it ran on.
    dialect TEXT NOT NULL,
    upgrade_sql TEXT NOT NULL,
    downgrade_sql TEXT NOT NULL
);
CREATE INDEX ix_rehearsed_sql ON rehearsed_sql (revision, sha256, dialect);
