#!/usr/bin/env bash
# Start the machine's PostgreSQL 15, give the postgres user a password and make elab_test.
# Prints the export line for ELAB_TEST_DATABASE_URL on stdout; everything else on stderr.
set -euo pipefail
PGPASS="${ELAB_PG_PASSWORD:-elab-test-pw}"
if command -v pg_ctlcluster >/dev/null 2>&1; then
  if ! pg_lsclusters -h 2>/dev/null | awk '$1=="15" && $2=="main" {print $4}' | grep -q online; then
    pg_ctlcluster 15 main start >&2 || true
  fi
  for _ in $(seq 1 30); do
    pg_isready -h 127.0.0.1 -p 5432 -q && break
    sleep 1
  done
  su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD '${PGPASS}';\"" >&2
  su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='elab_test'\"" | grep -q 1 \
    || su postgres -c "createdb elab_test" >&2
  echo "export ELAB_TEST_DATABASE_URL=postgresql+psycopg://postgres:${PGPASS}@127.0.0.1:5432/elab_test"
else
  echo "PostgreSQL 15 is not installed on this machine" >&2
  exit 1
fi
