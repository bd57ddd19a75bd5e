"""Alembic environment of the Kontali ERP twin (examples/kontali-erp-alembic).

The database URL is `sqlalchemy.url` from alembic.ini, unless the environment variable
STRATUM_DATABASE_URL is set: then that wins (the Stratum tests point both tools at the same
scratch database this way).
"""
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

# No models: every revision is hand-written SQL.
target_metadata = None

url = os.environ.get("STRATUM_DATABASE_URL") or config.get_main_option("sqlalchemy.url")


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade heads --sql`)."""
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        transaction_per_migration=False,
        version_table="alembic_version",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a live connection, all in one transaction (except for
    autocommit blocks, such as revision 007's CREATE INDEX CONCURRENTLY)."""
    section = dict(config.get_section(config.config_ini_section, {}))
    section["sqlalchemy.url"] = url
    connectable = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            transaction_per_migration=False,
            version_table="alembic_version",
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
