"""add phone to users

Revision ID: 002
Revises: 001
Create Date: 2025-02-12 09:10:00

"""
from alembic import op

revision = '002'
down_revision = '001'
branch_labels = None
depends_on = None

# The same statements as examples/kontali-erp/versions/002_add_phone_to_users.sql, by dialect
# (None: every dialect without its own list).
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
