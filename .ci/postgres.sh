#!/usr/bin/env bash
# Sourced by .ci/run: a throwaway PostgreSQL from Debian's packages on 127.0.0.1, stopped
# when the run ends; exports TERMSHIFT_TEST_DATABASE_URL for the store and API tests.
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [ -z "$(pg_bin)" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN="$(pg_bin)"
PG_PORT="${TERMSHIFT_TEST_PG_PORT:-54329}"
PG_DIR="$(mktemp -d /tmp/termshift-pg.XXXXXX)"
as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}
[ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
as_pg "'$PG_BIN/initdb' -D '$PG_DIR/data' -A trust -U postgres -E UTF8 >/dev/null"
as_pg "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/log' -w -t 60 \
  -o \"-h 127.0.0.1 -p $PG_PORT -k '$PG_DIR'\" start >/dev/null"
stop_postgres() {
  as_pg "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -m fast -w stop >/dev/null" || true
  rm -rf "$PG_DIR"
}
trap stop_postgres EXIT
export TERMSHIFT_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
