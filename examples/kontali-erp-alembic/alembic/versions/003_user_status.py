"""user status, set from is_active for active tenants

Revision ID: 003
Revises: 002
Create Date: 2025-02-20 14:00:00

"""
from alembic import op

revision = '003'
down_revision = '002'
branch_labels = None
depends_on = None

# The same statements as examples/kontali-erp/versions/003_user_status.sql, by dialect
# (None: every dialect without its own list).
UPGRADE = {
    None: [
        "ALTER TABLE users ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'invited'",
        "-- Tenant safety: only users of active clients, each scoped by its own client_id.\nUPDATE users SET status = 'active'\nWHERE is_active = TRUE\n  AND client_id IN (SELECT id FROM clients WHERE is_active = TRUE)",
    ],
}

DOWNGRADE = {
    None: [
        'ALTER TABLE users DROP COLUMN status',
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
