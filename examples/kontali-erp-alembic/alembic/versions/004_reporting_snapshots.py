"""reporting snapshots per client and period

Revision ID: 004
Revises: 003
Create Date: 2025-03-03 08:30:00

"""
from alembic import op

revision = '004'
down_revision = '003'
branch_labels = ('reporting',)
depends_on = None

# The same statements as examples/kontali-erp/versions/004_reporting_snapshots.sql, by dialect
# (None: every dialect without its own list).
UPGRADE = {
    None: [
        'CREATE TABLE report_snapshots (\n    client_id BIGINT NOT NULL,\n    period DATE NOT NULL,\n    payload TEXT,\n    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,\n    PRIMARY KEY (client_id, period),\n    CONSTRAINT fk_report_snapshots_client_id FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE RESTRICT\n)',
    ],
}

DOWNGRADE = {
    None: [
        'DROP TABLE report_snapshots',
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
