#!/usr/bin/env bash
# A virtualenv with MLflow's published migrations (the mlflow-skinny wheel from PyPI, whose
# revision files import MLflow itself) for bench/run.py's "Alembic project" comparison. Prints
# the path of its python; a second call reuses it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/target/mlflow-venv"
if ! "$venv/bin/python" -c "import mlflow.store.db.utils, alembic" >/dev/null 2>&1; then
  mkdir -p "$root/target"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "mlflow-skinny==3.18.0" "alembic==1.20.1" "sqlalchemy>=2,<2.2" psycopg2-binary >&2
fi
echo "$venv/bin/python"
