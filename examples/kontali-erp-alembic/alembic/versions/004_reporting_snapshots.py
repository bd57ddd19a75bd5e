"""reporting snapshots per client and period

Revision ID: 004
Revises: 003
Create Date: 2025-03-03 08:30:00

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '004'
down_revision: Union[str, Sequence[str], None] = '003'
branch_labels: Union[str, Sequence[str], None] = ('reporting',)
depends_on: Union[str, Sequence[str], None] = None

# The statements of examples/kontali-erp/versions/004_reporting_snapshots.sql,
# one op.execute each, by dialect (None: the plain section, for dialects without their own).
UPGRADE = {
    None: [
        """\
-- The primary key (client_id, period) is also the index on the foreign key client_id.
CREATE TABLE report_snapshots (
    client_id BIGINT NOT NULL,
    period DATE NOT NULL,
    payload TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (client_id, period),
    CONSTRAINT fk_report_snapshots_client_id FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE RESTRICT
)""",
    ],
}

DOWNGRADE = {
    None: [
        'DROP TABLE report_snapshots',
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
