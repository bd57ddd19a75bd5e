-- revision: 006
-- down_revision: 004, 005
-- message: merge reporting into main
-- created: 2025-03-10 16:45:00

-- migrate:up
-- Merge point: nothing to run.

-- migrate:down
-- Merge point: nothing to run.
