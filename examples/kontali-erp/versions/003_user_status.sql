-- revision: 003
-- down_revision: 002
-- message: user status, set from is_active for active tenants
-- created: 2025-02-20 14:00:00

-- migrate:up
ALTER TABLE users ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'invited';

-- Tenant safety: only users of active clients, each scoped by its own client_id.
UPDATE users SET status = 'active'
WHERE is_active = TRUE
  AND client_id IN (SELECT id FROM clients WHERE is_active = TRUE);

-- migrate:down
ALTER TABLE users DROP COLUMN status;
