"""due date on vendor invoices

Revision ID: 005
Revises: 003
Create Date: 2025-03-04 11:00:00

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '005'
down_revision: Union[str, Sequence[str], None] = '003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The statements of examples/kontali-erp/versions/005_vendor_invoice_due_date.sql,
# one op.execute each, by dialect (None: the plain section, for dialects without their own).
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


def _statements(bodies: dict) -> list:
    context = op.get_context()
    # Offline (--sql) there is no connection: the context's dialect is the one to print for.
    name = context.dialect.name if context.as_sql else op.get_bind().dialect.name
    if name == "mariadb":
        name = "mysql"
    return bodies.get(name, bodies.get(None, []))


def upgrade() -> None:
    for sql in _statements(UPGRADE):
        op.execute(sql)


def downgrade() -> None:
    for sql in _statements(DOWNGRADE):
        op.execute(sql)
