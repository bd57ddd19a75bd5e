-- The app's own store: connection profiles and the audit log of every operation.
-- Passwords are never stored here: they live in the operating system's keychain.
CREATE TABLE profiles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    client TEXT NOT NULL DEFAULT '',
    environment TEXT NOT NULL DEFAULT 'development'
        CHECK (environment IN ('development', 'staging', 'production')),
    -- The database URL without any password.
    url TEXT NOT NULL,
    project_dir TEXT NOT NULL,
    backup_dir TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now'))
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    profile_id INTEGER REFERENCES profiles (id) ON DELETE SET NULL,
    profile_name TEXT NOT NULL,
    operation TEXT NOT NULL,
    target TEXT NOT NULL,
    rows_before TEXT NOT NULL,
    rows_after TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('succeeded', 'failed', 'cancelled')),
    message TEXT NOT NULL DEFAULT ''
);

CREATE INDEX ix_audit_log_profile_id ON audit_log (profile_id);
