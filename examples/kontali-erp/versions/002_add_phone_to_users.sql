-- revision: 002
-- down_revision: 001
-- message: add phone to users
-- created: 2025-02-12 09:10:00

-- migrate:up
ALTER TABLE users ADD COLUMN phone VARCHAR(50);

-- migrate:down
ALTER TABLE users DROP COLUMN phone;
