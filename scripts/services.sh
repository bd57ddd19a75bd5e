#!/usr/bin/env bash
# Starts the local PostgreSQL and MariaDB servers the tests use, when they are down, and waits
# until both accept connections.
set -euo pipefail

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "Starting PostgreSQL..."
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if ! mysqladmin -h127.0.0.1 -uroot ping >/dev/null 2>&1; then
  echo "Starting MariaDB..."
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi
up=
for _ in $(seq 1 60); do
  if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && mysqladmin -h127.0.0.1 -uroot ping >/dev/null 2>&1; then
    up=1
    break
  fi
  sleep 1
done
[ -n "$up" ] || { echo "PostgreSQL or MariaDB did not come up within 60 s" >&2; exit 1; }

# The wrong-password test needs one role that PostgreSQL checks passwords for; every other
# connection keeps the machine's trust rule.
hba="$(psql -h 127.0.0.1 -U postgres -Atc 'show hba_file')"
if ! grep -q '^host all stratum_pw_test ' "$hba"; then
  sed -i '1i host all stratum_pw_test 127.0.0.1/32 scram-sha-256' "$hba"
  psql -h 127.0.0.1 -U postgres -qAtc 'SELECT pg_reload_conf()' >/dev/null
fi
exit 0
