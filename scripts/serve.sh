#!/bin/sh
# What `make run` serves with: gunicorn, DEBUG off, static files collected and served by
# WhiteNoise, over plain HTTP on HOST:PORT. Every setting can be given in the environment;
# the defaults suit a trusted network or a machine of one's own: HTTPS-only cookies, redirects and
# HSTS are off (put a TLS proxy in front and turn them on for anything else), mails go to the
# console unless EMAIL_HOST is set, and the secret key is the one kept in var/secret_key.
# Usage: scripts/serve.sh [extra gunicorn options]
set -eu
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
export DEBUG="${DEBUG:-0}"
if [ -z "${SECRET_KEY:-}" ]; then
    SECRET_KEY="$(cat var/secret_key)"
fi
export SECRET_KEY
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost,$HOST}"
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-0}"
export SECURE_HSTS_SECONDS="${SECURE_HSTS_SECONDS:-0}"
export SESSION_COOKIE_SECURE="${SESSION_COOKIE_SECURE:-0}"
export CSRF_COOKIE_SECURE="${CSRF_COOKIE_SECURE:-0}"
export EMAIL_TO_CONSOLE="${EMAIL_TO_CONSOLE:-1}"
# Each worker keeps its database connection between requests. Opening one per request (Django's
# default) cost an exam-day autosave about a quarter of its CPU: the SQLite connection is set up
# again, and the last one closing checkpoints the WAL into the database and deletes it, which
# the next request creates afresh (measured over HTTP: ~18 -> ~13 ms of server CPU per save).
export CONN_MAX_AGE="${CONN_MAX_AGE:-600}"
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
# Sync workers: one request each at a time, WEB_WORKERS of them (SQLite in WAL mode takes one
# writer at a time anyway; a writer waits SQLITE_BUSY_TIMEOUT for it, then gets a 503).
# deploy/gunicorn.conf.py: the site loaded and warmed up once, before the workers are forked.
exec .venv/bin/gunicorn -c deploy/gunicorn.conf.py config.wsgi --bind "$HOST:$PORT" --workers "${WEB_WORKERS:-4}" \
    --access-logfile - --timeout 60 --graceful-timeout 20 --no-control-socket "$@"
