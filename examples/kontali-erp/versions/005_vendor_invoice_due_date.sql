-- revision: 005
-- down_revision: 003
-- message: due date on vendor invoices
-- created: 2025-03-04 11:00:00

-- migrate:up
ALTER TABLE vendor_invoices ADD COLUMN due_date DATE;

-- migrate:down
ALTER TABLE vendor_invoices DROP COLUMN due_date;
