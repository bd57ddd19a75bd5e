-- revision: 007
-- down_revision: 006
-- message: index vendor invoices by client and date, concurrently on PostgreSQL
-- created: 2025-03-18 07:00:00
-- transaction: false
-- (CREATE INDEX CONCURRENTLY cannot run inside a transaction on PostgreSQL.)

-- migrate:up
CREATE INDEX ix_vendor_invoices_client_date ON vendor_invoices (client_id, invoice_date);

-- migrate:up postgresql
CREATE INDEX CONCURRENTLY ix_vendor_invoices_client_date ON vendor_invoices (client_id, invoice_date);

-- migrate:down
DROP INDEX ix_vendor_invoices_client_date;

-- migrate:down postgresql
DROP INDEX CONCURRENTLY ix_vendor_invoices_client_date;

-- migrate:down mysql
DROP INDEX ix_vendor_invoices_client_date ON vendor_invoices;
