#!/usr/bin/env bash
# The multi-process deployment on one machine, from Debian's packages (issue 14, section 3):
# PostgreSQL and Redis, two gunicorn web processes on two ports, two grader workers and a task
# worker. Each process is started as it would be on a machine of its own: the web processes and
# the task worker with the site's settings; each grader worker with only the Redis URL (no
# database credentials, no Django).
#
#   scripts/cluster.sh start    # (make cluster) starts everything under var/cluster/, then returns
#   scripts/cluster.sh status   # which processes run
#   scripts/cluster.sh stop     # stops them all; the data directory is kept (rm -rf var/cluster)
#
# Ports: CLUSTER_WEB_PORTS (8101 8102), CLUSTER_PG_PORT (54341), CLUSTER_REDIS_PORT (6391).
# Processes: CLUSTER_GRADER_WORKERS (2), CLUSTER_WEB_WORKERS (each web process's gunicorn workers).
# CLUSTER_BIND_GRADERS=0 leaves the grader workers free to use every CPU (see below).
# var/cluster/env holds the site's environment (as deploy/env.example lists it) for tools.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
state=$root/var/cluster
bin=$root/.venv/bin
read -r -a web_ports <<<"${CLUSTER_WEB_PORTS:-8101 8102}"
pg_port=${CLUSTER_PG_PORT:-54341}
redis_port=${CLUSTER_REDIS_PORT:-6391}
grader_workers=${CLUSTER_GRADER_WORKERS:-2}
# The web processes share this machine's CPUs, so each gets its share of the site's two sync
# workers per CPU (CLUSTER_WEB_WORKERS each to choose): 2 each on 2 CPUs. Measured with the
# 500-student load benchmark on 2 CPUs (loadtest/README.md), 4 workers each (8 processes taking
# turns on 2 CPUs) served the last attempt page 8.8-10.7 s after the exam opened, 2 each 7.4-9.7 s,
# with lower save latencies too.
cpus=$(nproc)
web_workers=${CLUSTER_WEB_WORKERS:-$(((2 * cpus + ${#web_ports[@]} - 1) / ${#web_ports[@]}))}
# Each grader worker gets a CPU of its own (GRADER_CPUS) when there are as many as workers, as on
# machines of their own: free to use every CPU, the kernel moves their short-lived sandboxed runs
# between CPUs and leaves one idle now and then (make grader-throughput prints both ways).
bind_graders=${CLUSTER_BIND_GRADERS:-1}

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
as_postgres=()
[ "$(id -u)" = 0 ] && as_postgres=(runuser -u postgres --)
# PostgreSQL's data directory: under var/cluster, unless the server (run as the postgres user
# when we are root) cannot reach the checkout, e.g. under a private temporary directory. Then it
# lives in /var/tmp, named after the checkout, and is thrown away with var/cluster.
pg_dir=$state/pg
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$root" 2>/dev/null; then
    pg_dir=/var/tmp/memory-model-cluster-$(printf %s "$root" | md5sum | cut -c1-12)/pg
fi

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
healthy() { "$bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=30)' "$1"; }
worker_beats() { [ "$(redis-cli -p "$redis_port" exists "grader:worker:$1")" = 1 ]; }

wait_until() {  # wait_until SECONDS WHAT COMMAND...
    local seconds=$1 what=$2
    shift 2
    for _ in $(seq $((seconds * 10))); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    echo "cluster: $what did not come up in ${seconds}s (logs: $state/*.log)" >&2
    return 1
}

start_postgres() {
    if [ -z "$pg_bin" ]; then
        echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2
        exit 1
    fi
    if [ "$pg_dir" != "$state/pg" ] && [ ! -f "$state/pg-dir" ]; then
        rm -rf "$pg_dir"  # a fresh var/cluster (make test-cluster): a fresh database too
    fi
    mkdir -p "$pg_dir" "$state"
    echo "$pg_dir" >"$state/pg-dir"
    if [ ! -f "$pg_dir/PG_VERSION" ]; then
        [ "$(id -u)" = 0 ] && chown postgres: "$pg_dir"
        "${as_postgres[@]}" "$pg_bin/initdb" -D "$pg_dir" -A trust -U postgres >/dev/null
    fi
    [ "$(id -u)" = 0 ] && chown postgres: "$pg_dir"
    if ! "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_dir" status >/dev/null 2>&1; then
        "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_dir" -l "$pg_dir/server.log" -w \
            -o "-k $pg_dir -p $pg_port -c listen_addresses='' -c max_connections=200" start >/dev/null
    fi
}

start_redis() {
    alive "$state/redis.pid" && return
    command -v redis-server >/dev/null || { echo "redis-server not found (apt-get install redis-server)" >&2; exit 1; }
    redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$state" --save "" --appendonly no \
        --daemonize yes --pidfile "$state/redis.pid" --logfile "$state/redis.log"
    wait_until 20 "redis" redis-cli -p "$redis_port" ping
}

write_env() {
    [ -f "$state/secret_key" ] || "$bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$state/secret_key"
    local socket_dir
    socket_dir=$("$bin/python" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$pg_dir")
    cat >"$state/env" <<ENV
DEBUG=0
SECRET_KEY=$(cat "$state/secret_key")
ALLOWED_HOSTS=127.0.0.1,localhost
DATABASE_URL=postgres://postgres@${socket_dir}:${pg_port}/postgres
CONN_MAX_AGE=60
REDIS_URL=redis://127.0.0.1:${redis_port}/0
GRADER_BACKEND=redis
SECURE_SSL_REDIRECT=0
SESSION_COOKIE_SECURE=0
CSRF_COOKIE_SECURE=0
SECURE_HSTS_SECONDS=0
ENV
}

site() {  # run a command with the site's environment (and nothing else of ours)
    env -i PATH="$PATH" HOME="$state" $(cat "$state/env") "$@"
}

site_in_background() {  # site, in the background, with $! the command's own pid: a background
    # function's pid is its subshell's, and stopping that left the command running (an orphaned
    # rqworker after `cluster.sh stop`)
    (exec env -i PATH="$PATH" HOME="$state" $(cat "$state/env") "$@") &
}

start() {
    mkdir -p "$state"
    start_postgres
    start_redis
    write_env
    site "$bin/python" manage.py migrate --noinput -v0
    site "$bin/python" manage.py collectstatic --noinput -v0
    read -r -a usable_cpus <<<"$("$bin/python" -c 'import os; print(*sorted(os.sched_getaffinity(0)))')"
    for n in $(seq "$grader_workers"); do
        alive "$state/grader-$n.pid" && continue
        bound=()
        if [ "$bind_graders" = 1 ] && [ "${#usable_cpus[@]}" -ge "$grader_workers" ]; then
            bound=(GRADER_CPUS="${usable_cpus[n - 1]}")
        fi
        # A grader worker's whole environment: the queue's URL, its own name and CPUs.
        env -i GRADER_REDIS_URL="redis://127.0.0.1:${redis_port}/0" GRADER_WORKER_NAME="grader-$n" "${bound[@]}" \
            "$bin/python" -I -c 'import sys; sys.path.insert(0, sys.argv[1]); from grader.worker import main; main()' \
            "$root" >>"$state/grader-$n.log" 2>&1 &
        echo $! >"$state/grader-$n.pid"
    done
    for n in $(seq "$grader_workers"); do
        wait_until 240 "grader worker $n" worker_beats "grader-$n" || exit 1
    done
    # Loading the course's content runs the grader, on the workers.
    site "$bin/python" manage.py load_content
    site "$bin/python" manage.py seed_demo
    if ! alive "$state/tasks.pid"; then
        site_in_background "$bin/python" manage.py rqworker --job-class django_tasks_rq.Job \
            default >>"$state/tasks.log" 2>&1
        echo $! >"$state/tasks.pid"
    fi
    for port in "${web_ports[@]}"; do
        alive "$state/web-$port.pid" && continue
        site "$bin/gunicorn" -c deploy/gunicorn.conf.py --bind "127.0.0.1:$port" --workers "$web_workers" \
            --pid "$state/web-$port.pid" --daemon --error-logfile "$state/web-$port.log" \
            config.wsgi
    done
    for port in "${web_ports[@]}"; do
        wait_until 60 "web on $port" healthy "http://127.0.0.1:$port/healthz" || exit 1
    done
    echo "cluster: web on ${web_ports[*]}, $grader_workers grader workers, state in $state"
}

# wait_gone SECONDS PID...: whether all the processes have exited within SECONDS.
wait_gone() {
    local seconds=$1
    shift
    for _ in $(seq $((seconds * 10))); do
        local pid left=0
        for pid in "$@"; do kill -0 "$pid" 2>/dev/null && left=1; done
        [ "$left" = 0 ] && return 0
        sleep 0.1
    done
    return 1
}

# Stops everything and returns once it has all exited: the web, task and grader workers first
# (SIGTERM: gunicorn's graceful stop, a worker's current job finished; SIGKILL for any still
# running after a minute), then Redis, then PostgreSQL. A grader worker's grader server exits
# with its worker, gunicorn's workers with their master.
stop() {
    local pidfile pid pids=()
    for pidfile in "$state"/web-*.pid "$state"/tasks.pid "$state"/grader-*.pid; do
        [ -f "$pidfile" ] || continue
        if alive "$pidfile"; then
            pid=$(cat "$pidfile")
            kill "$pid" 2>/dev/null && pids+=("$pid")
        fi
        rm -f "$pidfile"
    done
    if [ "${#pids[@]}" -gt 0 ] && ! wait_gone 60 "${pids[@]}"; then
        echo "cluster: killing what did not stop within 60 s of SIGTERM" >&2
        kill -KILL "${pids[@]}" 2>/dev/null || true
        wait_gone 10 "${pids[@]}" || true
    fi
    if alive "$state/redis.pid"; then
        pid=$(cat "$state/redis.pid")
        kill "$pid" && wait_gone 20 "$pid" || kill -KILL "$pid" 2>/dev/null || true
    fi
    if [ -n "$pg_bin" ] && [ -f "$pg_dir/PG_VERSION" ]; then
        "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_dir" -m fast -w stop >/dev/null 2>&1 || true
    fi
    echo "cluster: stopped"
}

status() {
    for pidfile in "$state"/*.pid; do
        [ -f "$pidfile" ] || continue
        if alive "$pidfile"; then state_word=running; else state_word=dead; fi
        echo "$(basename "$pidfile" .pid): $state_word"
    done
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
