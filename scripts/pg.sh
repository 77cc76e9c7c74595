#!/usr/bin/env bash
# Start Debian's PostgreSQL cluster (it refuses to run as root, so as user postgres) and make a test role.
# Sourced by scripts/test.sh; exports WXK_TEST_PG_URL.
set -euo pipefail
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi; }
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start 2>/dev/null || true
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
for _ in $(seq 1 30); do as_postgres psql -p "$port" -Atqc "select 1" >/dev/null 2>&1 && break; sleep 1; done
as_postgres psql -p "$port" -v ON_ERROR_STOP=1 -Atq <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'wxk_test') THEN
    CREATE ROLE wxk_test LOGIN PASSWORD 'wxk_test' CREATEDB;
  END IF;
END \$\$;
SQL
export WXK_TEST_PG_URL="postgresql+psycopg://wxk_test:wxk_test@127.0.0.1:${port}/postgres"
