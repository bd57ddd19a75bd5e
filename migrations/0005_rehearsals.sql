-- Rehearsals: what was proved on a scratch database, so a later check-up or release gate can
-- ask whether exactly these revisions (the same files, by SHA-256) passed.
CREATE TABLE rehearsals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    profile_id INTEGER REFERENCES profiles(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    target TEXT NOT NULL,
    -- "live" or "base", and whether rows were compared too.
    start TEXT NOT NULL,
    with_data INTEGER NOT NULL DEFAULT 0,
    -- One `REVISION SHA256` per line, in the order rehearsed (those not reached included).
    files TEXT NOT NULL,
    -- "passed" or "failed".
    result TEXT NOT NULL,
    summary TEXT NOT NULL,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX ix_rehearsals_profile ON rehearsals (profile_id, id);
