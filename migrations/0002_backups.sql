-- Backups: a catalogue of every backup the app took, and each profile's backup settings.
ALTER TABLE profiles ADD COLUMN auto_backup INTEGER NOT NULL DEFAULT 0;
ALTER TABLE profiles ADD COLUMN backup_keep INTEGER NOT NULL DEFAULT 10;
-- Production profiles back up before every change unless the user switches it off.
UPDATE profiles SET auto_backup = 1 WHERE environment = 'production';

CREATE TABLE backups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    profile_id INTEGER REFERENCES profiles (id) ON DELETE SET NULL,
    at TEXT NOT NULL,
    path TEXT NOT NULL,
    engine TEXT NOT NULL,
    -- The version rows at backup, comma separated.
    rows TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    tool_version TEXT NOT NULL,
    -- Why it was taken: "manual", "before upgrade to heads", "before restore", ...
    reason TEXT NOT NULL DEFAULT ''
);

CREATE INDEX ix_backups_profile_id ON backups (profile_id);

-- The backup taken before an operation, if any (its path).
ALTER TABLE audit_log ADD COLUMN backup TEXT NOT NULL DEFAULT '';
