"""index vendor invoices by client and date, concurrently on PostgreSQL

Revision ID: 007
Revises: 006
Create Date: 2025-03-18 07:00:00

"""
from alembic import op

revision = '007'
down_revision = '006'
branch_labels = None
depends_on = None

# The same statements as examples/kontali-erp/versions/007_index_vendor_invoices_by_client_date.sql, by dialect
# (None: every dialect without its own list).
UPGRADE = {
    'postgresql': [
        'CREATE INDEX CONCURRENTLY ix_vendor_invoices_client_date ON vendor_invoices (client_id, invoice_date)',
    ],
    None: [
        'CREATE INDEX ix_vendor_invoices_client_date ON vendor_invoices (client_id, invoice_date)',
    ],
}

DOWNGRADE = {
    'postgresql': [
        'DROP INDEX CONCURRENTLY ix_vendor_invoices_client_date',
    ],
    'mysql': [
        'DROP INDEX ix_vendor_invoices_client_date ON vendor_invoices',
    ],
    None: [
        'DROP INDEX ix_vendor_invoices_client_date',
    ],
}


def _statements(bodies):
    name = op.get_context().dialect.name
    name = "mysql" if name == "mariadb" else name
    return bodies.get(name, bodies.get(None, []))


def upgrade():
    with op.get_context().autocommit_block():
        for sql in _statements(UPGRADE):
            op.execute(sql)


def downgrade():
    with op.get_context().autocommit_block():
        for sql in _statements(DOWNGRADE):
            op.execute(sql)
