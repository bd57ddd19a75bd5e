-- The seed's checklist as evidence: the latest check-up of each profile (for the fleet view),
-- the release gate of a profile (on for production by default) and its maintenance window, and
-- in the audit log which revision files a run applied (by SHA-256) and what the gate said.
CREATE TABLE checkups (
    profile_id INTEGER PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    -- "passed", "warning" or "failed": the worst of its items.
    verdict TEXT NOT NULL,
    failed INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    summary TEXT NOT NULL
);

ALTER TABLE profiles ADD COLUMN release_gate INTEGER NOT NULL DEFAULT 0;
UPDATE profiles SET release_gate = 1 WHERE environment = 'production';
-- e.g. "Sat-Sun 22:00-06:00 Europe/Berlin"; empty: none scheduled.
ALTER TABLE profiles ADD COLUMN maintenance_window TEXT NOT NULL DEFAULT '';

-- One `REVISION SHA256` per line: the files of the revisions the run applied.
ALTER TABLE audit_log ADD COLUMN files TEXT NOT NULL DEFAULT '';
-- "passed; reviewed by NAME", "overridden: REASON (unmet: ...)", or empty where no gate applies.
ALTER TABLE audit_log ADD COLUMN gate TEXT NOT NULL DEFAULT '';
