#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas to the version this admin-tools image
# ships. Runs in the temporalio/admin-tools image before the server starts (docker-compose.prod.yml,
# service temporal-schema). Idempotent: on an existing database `create` is a no-op, `setup-schema -v 0.0`
# leaves a newer version alone, and `update-schema` applies only the migrations not yet applied, so the same
# job upgrades the schema when the image tags are bumped.
#
# Connection settings come from the environment, as temporal-sql-tool reads them: SQL_PLUGIN, SQL_HOST,
# SQL_PORT, SQL_USER, SQL_PASSWORD (may be empty where PostgreSQL trusts the connection, as on a developer's machine
# for scripts/prod-local.sh). The password is never on a command line. SCHEMA_ROOT is where the schema files of the
# server release are (the admin-tools image's; scripts/prod-local.sh passes the copy in .tools), DBNAME and
# VISIBILITY_DBNAME the database names.
set -eu

: "${SQL_PLUGIN:?set SQL_PLUGIN (postgres12)}"
: "${SQL_HOST:?set SQL_HOST}"
: "${SQL_USER:?set SQL_USER}"
: "${SQL_PASSWORD=}"
export SQL_PASSWORD
SQL_PORT="${SQL_PORT:-5432}"
export SQL_PORT
SCHEMA_ROOT="${SCHEMA_ROOT:-/etc/temporal/schema/postgresql/v12}"

# Compose starts this job once postgres is healthy; the wait is for other ways of running it (nc permitting).
if command -v nc >/dev/null 2>&1; then
  attempts=0
  until nc -z -w 5 "$SQL_HOST" "$SQL_PORT"; do
    attempts=$((attempts + 1))
    if [ "$attempts" -ge 30 ]; then
      echo "setup-schema: PostgreSQL at $SQL_HOST:$SQL_PORT did not accept connections" >&2
      exit 1
    fi
    sleep 2
  done
fi

setup() {
  db=$1
  dir=$2
  echo "setup-schema: $db"
  temporal-sql-tool --db "$db" create
  temporal-sql-tool --db "$db" setup-schema -v 0.0
  temporal-sql-tool --db "$db" update-schema -d "$SCHEMA_ROOT/$dir/versioned"
}

setup "${DBNAME:-temporal}" temporal
setup "${VISIBILITY_DBNAME:-temporal_visibility}" visibility
echo 'setup-schema: done'
