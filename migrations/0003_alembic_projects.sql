-- Alembic projects: what a profile adds to a team's alembic.ini, because the project's env.py
-- may decide it at run time or its revision files compute it. Empty means "not set".
ALTER TABLE profiles ADD COLUMN python TEXT NOT NULL DEFAULT '';
ALTER TABLE profiles ADD COLUMN version_table TEXT NOT NULL DEFAULT '';
ALTER TABLE profiles ADD COLUMN version_table_schema TEXT NOT NULL DEFAULT '';
-- One `FILE: NAME = VALUE` per line: values revision files compute.
ALTER TABLE profiles ADD COLUMN alembic_values TEXT NOT NULL DEFAULT '';
