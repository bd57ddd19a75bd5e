-- Folders whose Alembic project code (env.py, the revision files, a virtualenv inside) the
-- desktop app may run: opening a folder received from a client must not run its code until the
-- user says so, once per folder. The path is canonical (symlinks resolved), so a folder reached
-- by two names is one row.
CREATE TABLE trusted_folders (
    path TEXT PRIMARY KEY,
    trusted_at TEXT NOT NULL
);
