#!/usr/bin/env bash
# A Python virtualenv with the real Alembic (the reference Stratum is checked against) and the
# drivers the Alembic twin of the sample project needs. Prints the path of its python.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/target/alembic-venv"
if ! "$venv/bin/python" -c "import alembic, psycopg2, pymysql" >/dev/null 2>&1; then
  mkdir -p "$root/target"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "alembic==1.20.1" "sqlalchemy>=2,<2.2" psycopg2-binary pymysql >&2
fi
echo "$venv/bin/python"
