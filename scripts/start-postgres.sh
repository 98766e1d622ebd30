#!/usr/bin/env bash
# A throwaway PostgreSQL server for the storage tests, from Debian packages (no Docker).
#
#   export TEST_DATABASE_URL=$(bash scripts/start-postgres.sh | tail -1)
#   .venv/bin/python -m pytest tests/storage
#   bash scripts/start-postgres.sh --stop      # stop it and delete its data
#
# Idempotent: installs the `postgresql` package if no server binaries are found, creates a
# cluster in $PGTEST_DIR (default /tmp/hintmt-pgtest) on the first run, starts it when it is
# not running, ensures the test user and database, and prints the SQLAlchemy URL as the last
# line of stdout (progress goes to stderr). A second run with the server up takes well under a
# second. The server listens on 127.0.0.1 only (port $PGTEST_PORT, default 54329) and on a
# socket inside the data folder; it runs as the `postgres` user when started by root. Its
# durability is switched off (fsync=off): it is for tests only.
set -euo pipefail

DIR=${PGTEST_DIR:-/tmp/hintmt-pgtest}
PORT=${PGTEST_PORT:-54329}
DB_USER=hintmt
DB_PASS=hintmt
DB_NAME=hintmt_test
DATA=$DIR/data
LOG=$DIR/server.log
URL="postgresql+psycopg://$DB_USER:$DB_PASS@127.0.0.1:$PORT/$DB_NAME"

log() { echo "start-postgres: $*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

bindir() {  # the newest installed server's bin folder, or nothing
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && echo "$d"
  return 0
}

install_server() {
  log "installing the Debian package postgresql (apt-get) ..."
  # Only the binaries are wanted: no default "main" cluster on port 5432 (the package
  # creates one unless createcluster.conf says otherwise; ucf keeps this file as it is).
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    as_root mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | as_root tee /etc/postgresql-common/createcluster.conf \
      >/dev/null
  fi
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive UCF_FORCE_CONFFOLD=1 \
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
}

BIN=$(bindir)
if [ -z "$BIN" ]; then
  install_server
  BIN=$(bindir)
  [ -n "$BIN" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql after install"
fi

# Run server commands as `postgres` when root (initdb and postgres refuse to run as root).
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "user postgres missing (it comes with postgresql-common)"
  as_pg() { runuser -u postgres -- "$@"; }
  OWNER=postgres
else
  as_pg() { "$@"; }
  OWNER=$(id -un)
fi

if [ "${1:-}" = "--stop" ]; then
  if [ -f "$DATA/PG_VERSION" ]; then
    as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
  log "stopped; removed $DIR"
  exit 0
fi

psql_admin() {  # psql as the superuser over the private socket
  as_pg "$BIN/psql" -h "$DIR" -p "$PORT" -U postgres -d postgres -X -q -A -t \
    -v ON_ERROR_STOP=1 "$@"
}

if [ ! -f "$DATA/PG_VERSION" ]; then
  log "creating a cluster in $DATA ($("$BIN/postgres" --version))"
  if [ -d "$DIR" ]; then rm -rf "$DIR"; fi
  mkdir -p "$DIR"
  chown "$OWNER" "$DIR"
  chmod 700 "$DIR"
  # Superuser `postgres`: trusted on the private socket only; TCP needs a password.
  as_pg "$BIN/initdb" -D "$DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  cat >>"$DATA/postgresql.conf" <<EOF

# --- scripts/start-postgres.sh: a test server, reachable from this machine only ---
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
unix_socket_permissions = 0700
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
timezone = 'Pacific/Auckland'  # not UTC: naive-datetime bugs show up in tests
EOF
fi

if ! as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  log "starting the server on 127.0.0.1:$PORT (log: $LOG)"
  # The options repeat the config on purpose: loopback only, whatever the file says.
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR" start >/dev/null \
    || { tail -n 20 "$LOG" >&2 || true; die "the server did not start (port $PORT in use?)"; }
fi

# The test user (password login over TCP) owning the test database; kept when present.
psql_admin <<SQL
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', '$DB_USER', '$DB_PASS')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER')\gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0',
              '$DB_NAME', '$DB_USER', 'UTF8')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB_NAME')\gexec
SQL

PGPASSWORD=$DB_PASS "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U "$DB_USER" -d "$DB_NAME" -X -q -A -t \
  -c "SELECT 1" >/dev/null || die "cannot log in as $DB_USER over 127.0.0.1:$PORT"
log "ready: $DB_NAME on 127.0.0.1:$PORT"
echo "$URL"
