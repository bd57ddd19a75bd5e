"""merge reporting into main

Revision ID: 006
Revises: 004, 005
Create Date: 2025-03-10 16:45:00

"""
from alembic import op

revision = '006'
down_revision = ('004', '005')
branch_labels = None
depends_on = None

# The same statements as examples/kontali-erp/versions/006_merge_reporting_into_main.sql, by dialect
# (None: every dialect without its own list).
UPGRADE = {
    None: [
    ],
}

DOWNGRADE = {
    None: [
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
