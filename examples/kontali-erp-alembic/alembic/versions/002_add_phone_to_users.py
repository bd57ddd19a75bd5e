"""add phone to users

Revision ID: 002
Revises: 001
Create Date: 2025-02-12 09:10:00

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '002'
down_revision: Union[str, Sequence[str], None] = '001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The statements of examples/kontali-erp/versions/002_add_phone_to_users.sql,
# one op.execute each, by dialect (None: the plain section, for dialects without their own).
UPGRADE = {
    None: [
        'ALTER TABLE users ADD COLUMN phone VARCHAR(50)',
    ],
}

DOWNGRADE = {
    None: [
        'ALTER TABLE users DROP COLUMN phone',
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
