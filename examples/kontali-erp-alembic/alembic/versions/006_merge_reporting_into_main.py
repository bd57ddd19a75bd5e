"""merge reporting into main

Revision ID: 006
Revises: 004, 005
Create Date: 2025-03-10 16:45:00

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '006'
down_revision: Union[str, Sequence[str], None] = ('004', '005')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The statements of examples/kontali-erp/versions/006_merge_reporting_into_main.sql,
# one op.execute each, by dialect (None: the plain section, for dialects without their own).
UPGRADE = {
    None: [
    ],
}

DOWNGRADE = {
    None: [
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
