#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server (Debian's postgresql package), with
# DATABASE_URL pointing at it. Used by `make test-postgres`; the server is removed afterwards.
# When the command fails, the server's log is printed first (a closed connection or a killed
# backend is explained there, and the log goes with the server).
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ]; then
    echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2
    exit 1
fi

data=$(mktemp -d /tmp/memory-model-pg.XXXXXX)
port=${PG_PORT:-54329}
as_postgres=()
if [ "$(id -u)" = 0 ]; then
    chown postgres: "$data"
    as_postgres=(runuser -u postgres --)
fi
stop() {
    local status=$?
    "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    if [ "$status" != 0 ] && [ -f "$data/server.log" ]; then
        echo "--- the throwaway PostgreSQL server's log (the command failed: $status) ---" >&2
        tail -n 200 "$data/server.log" >&2
    fi
    rm -rf "$data"
}
trap stop EXIT

"${as_postgres[@]}" "$pg_bin/initdb" -D "$data" -A trust -U postgres >/dev/null
"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
    -o "-k $data -p $port -c listen_addresses=''" start >/dev/null

socket_dir=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$data")
export DATABASE_URL="postgres://postgres@${socket_dir}:${port}/postgres"
"$@"
