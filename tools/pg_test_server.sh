#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for the test suites, in a temporary directory, on a
# free port of 127.0.0.1, as an unprivileged user (initdb refuses root).
#   tools/pg_test_server.sh start   prints "DIR DSN" on stdout
#   tools/pg_test_server.sh stop DIR
#   tools/pg_test_server.sh pause DIR    clean shutdown, data kept (an outage, for the tests)
#   tools/pg_test_server.sh resume DIR   starts it again on the same port
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x "$pg_bin/initdb" ]] || { echo "pg_test_server: PostgreSQL server binaries not found" >&2; exit 1; }

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "${1:-}" in
  start)
    dir=$(mktemp -d /tmp/allervers-pg.XXXXXX)
    chmod 755 "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    as_owner "$pg_bin/initdb" -D "$dir/data" -U allervers --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    for attempt in $(seq 1 20); do
      port=$((20000 + RANDOM % 20000))
      if as_owner "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null 2>&1; then
        echo "$port" >"$dir/port"
        echo "$dir postgresql://allervers@127.0.0.1:$port/postgres"
        exit 0
      fi
    done
    echo "pg_test_server: could not start PostgreSQL; see $dir/server.log" >&2
    exit 1
    ;;
  stop)
    dir=${2:?directory}
    as_owner "$pg_bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  pause)
    dir=${2:?directory}
    as_owner "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  resume)
    dir=${2:?directory}
    port=$(cat "$dir/port")
    as_owner "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null
    ;;
  *)
    echo "usage: $0 start | stop DIR | pause DIR | resume DIR" >&2
    exit 2
    ;;
esac
