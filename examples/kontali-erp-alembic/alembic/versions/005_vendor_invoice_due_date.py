"""due date on vendor invoices

Revision ID: 005
Revises: 003
Create Date: 2025-03-04 11:00:00

"""
from alembic import op

revision = '005'
down_revision = '003'
branch_labels = None
depends_on = None

# The same statements as examples/kontali-erp/versions/005_vendor_invoice_due_date.sql, by dialect
# (None: every dialect without its own list).
UPGRADE = {
    None: [
        'ALTER TABLE vendor_invoices ADD COLUMN due_date DATE',
    ],
}

DOWNGRADE = {
    None: [
        'ALTER TABLE vendor_invoices DROP COLUMN due_date',
    ],
}


def _statements(bodies):
    name = op.get_context().dialect.name
    name = "mysql" if name == "mariadb" else name
    return bodies.get(name, bodies.get(None, []))


def upgrade():
    for sql in _statements(UPGRADE):
        op.execute(sql)


def downgrade():
    for sql in _statements(DOWNGRADE):
        op.execute(sql)
