"""index vendor invoices by client and date, concurrently on PostgreSQL

Revision ID: 007
Revises: 006
Create Date: 2025-03-18 07:00:00

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '007'
down_revision: Union[str, Sequence[str], None] = '006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The statements of examples/kontali-erp/versions/007_index_vendor_invoices_by_client_date.sql,
# one op.execute each, by dialect (None: the plain section, for dialects without their own).
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


def _statements(bodies: dict) -> list:
    context = op.get_context()
    # Offline (--sql) there is no connection: the context's dialect is the one to print for.
    name = context.dialect.name if context.as_sql else op.get_bind().dialect.name
    if name == "mariadb":
        name = "mysql"
    return bodies.get(name, bodies.get(None, []))


def upgrade() -> None:
    # `-- transaction: false` in the native file: outside any transaction, on every
    # engine (PostgreSQL refuses CREATE/DROP INDEX CONCURRENTLY inside one).
    with op.get_context().autocommit_block():
        for sql in _statements(UPGRADE):
            op.execute(sql)


def downgrade() -> None:
    # `-- transaction: false` in the native file: outside any transaction, on every
    # engine (PostgreSQL refuses CREATE/DROP INDEX CONCURRENTLY inside one).
    with op.get_context().autocommit_block():
        for sql in _statements(DOWNGRADE):
            op.execute(sql)
