"""user status, set from is_active for active tenants

Revision ID: 003
Revises: 002
Create Date: 2025-02-20 14:00:00

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '003'
down_revision: Union[str, Sequence[str], None] = '002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The statements of examples/kontali-erp/versions/003_user_status.sql,
# one op.execute each, by dialect (None: the plain section, for dialects without their own).
UPGRADE = {
    None: [
        "ALTER TABLE users ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'invited'",
        """\
-- Tenant safety: only users of active clients, each scoped by its own client_id.
UPDATE users SET status = 'active'
WHERE is_active = TRUE
  AND client_id IN (SELECT id FROM clients WHERE is_active = TRUE)""",
    ],
}

DOWNGRADE = {
    None: [
        'ALTER TABLE users DROP COLUMN status',
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
