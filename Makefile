# Python 3.12+ is required (Django 6.1). pyenv selects it through .python-version.
PYTHON ?= $(shell command -v pyenv >/dev/null 2>&1 && pyenv which python 2>/dev/null || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The grader runs on each interpreter listed in GRADER_INTERPRETERS (os.pathsep-separated paths;
# any CPython: the grader server links in this environment's RestrictedPython): `make test` lists
# .venv313's CPython 3.13, so the fidelity, deny, limit and hunt suites run on 3.12 and 3.13
# (issue 18), each against `python -I` of the same interpreter. A virtual environment's start-up
# differs from its bare interpreter's (the collector's state at a script's first line, hence the
# order of finalizers at exit), so both lines are venvs, as the grader's own 3.12 is. The
# collector tests' fidelity probe also runs under .venv313 (tests/grader/test_gc_lessons.py).
PYENV313 := $(shell command -v pyenv >/dev/null 2>&1 && ls -d "$$(pyenv root)"/versions/3.13.*/bin/python 2>/dev/null | head -n 1)
PYTHON313 ?= $(or $(PYENV313),$(shell python3.13 -c '' 2>/dev/null && command -v python3.13))
VENV313 := .venv313
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev assets test test-postgres lint typecheck run grader313

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Bootstrap comes from npm and is served by Django from node_modules (no CDN); the playground's
# CodeMirror editor is bundled from npm by esbuild into its app's static dir (git-ignored).
EDITOR_BUNDLE := playground/static/playground/editor.bundle.js
assets: node_modules/.package-lock.json $(EDITOR_BUNDLE)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

$(EDITOR_BUNDLE): playground/assets/editor.js node_modules/.package-lock.json
	npm run build:editor

$(VENV313)/bin/python:
	@if [ -n "$(PYTHON313)" ]; then \
		$(PYTHON313) -m venv $(VENV313) && \
		$(VENV313)/bin/pip install -q "$$(grep -i '^RestrictedPython==' requirements.txt)"; \
	else echo "no CPython 3.13 found: the grader's 3.13 collector tests will be skipped"; fi

grader313: $(VENV313)/bin/python

install: $(BIN)/python assets
	$(BIN)/pip install -q -r requirements.txt

install-dev: $(BIN)/python assets
	$(BIN)/pip install -q -r requirements-dev.txt

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The grader, and the site's services and selectors, typed against django-stubs (files:
# pyproject.toml).
typecheck: install-dev
	$(BIN)/mypy

test: install-dev grader313
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	GRADER_INTERPRETERS="$(if $(PYTHON313),$(CURDIR)/$(VENV313)/bin/python)" $(BIN)/pytest

# Every test that touches the database again (the fuzz test too: NUL and overflow errors differ
# by database), on a throwaway PostgreSQL server (needs Debian's postgresql): all of tests/ but
# the packages that never open it (the grader's, Django-free; the fixture bank's, grader only),
# so a new package is included without a change here.
test-postgres: install-dev
	scripts/with-postgres.sh $(BIN)/pytest -q tests --ignore=tests/grader --ignore=tests/fixtures

# --- Exam day: a real server, a development server, a load benchmark (issue 14, examday) -------
# `make run` serves with gunicorn, DEBUG off, static files collected and served by WhiteNoise,
# over plain HTTP on HOST:PORT (scripts/serve.sh: what it sets and why). The secret key is made
# once and kept in var/secret_key. WEB_WORKERS gunicorn processes.
WEB_WORKERS ?= 4
.PHONY: setup-site dev loadtest

var/secret_key: | $(BIN)/python
	mkdir -p var
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

# Migrate, load fixtures/ and the demo accounts: what both servers need first.
setup-site: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_content
	$(BIN)/python manage.py seed_demo

run: setup-site var/secret_key
	HOST=$(HOST) PORT=$(PORT) WEB_WORKERS=$(WEB_WORKERS) scripts/serve.sh

# Development: Django's runserver, DEBUG on, reloading on every code change.
dev: setup-site
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# A benchmark of exam day against a running site (`make run` in another shell, or URL=...):
# USERS students (made by create_load_students, on this machine's database) log in, start the
# quiz QUIZ within SPIKE_SECONDS of each other, autosave, submit and open their result; prints
# login, start, save and submit percentiles, throughput and errors. See loadtest/README.md.
# URL may list several web processes, space-separated (make cluster's: students alternate).
URL ?= http://$(HOST):$(PORT)
USERS ?= 200
QUIZ ?= final-exam
SPIKE_SECONDS ?= 1
SAVES ?= 3
loadtest: install-dev
	$(BIN)/python manage.py create_load_students --count $(USERS) --quiz $(QUIZ) \
		--password-file var/loadtest-password
	LOADTEST_QUIZ=$(QUIZ) LOADTEST_SPIKE_SECONDS=$(SPIKE_SECONDS) LOADTEST_SAVES=$(SAVES) \
		LOADTEST_PASSWORD_FILE=var/loadtest-password \
		$(BIN)/python -m loadtest --host "$(URL)" --users $(USERS)
# --- end examday ----------------------------------------------------------------------------

# --- The cluster on one machine, grader throughput (issue 14 §2-§3; branch queue) ---------------
.PHONY: cluster cluster-stop test-cluster grader-throughput

# PostgreSQL, Redis, two gunicorn web processes (8101, 8102), two grader workers and a task
# worker, under var/cluster/ (Debian's postgresql and redis-server; see deploy/README.md).
cluster: install
	scripts/cluster.sh start

cluster-stop:
	scripts/cluster.sh stop

# The end-to-end check through a fresh cluster (tests/cluster), which is stopped afterwards.
test-cluster: install-dev
	scripts/cluster.sh stop >/dev/null 2>&1 || true
	rm -rf var/cluster
	scripts/cluster.sh start
	CLUSTER_WEB_URLS="http://127.0.0.1:8101 http://127.0.0.1:8102" $(BIN)/pytest -q -m cluster \
		tests/cluster; status=$$?; scripts/cluster.sh stop; exit $$status

# Grader throughput with 1 worker, then 2, side by side (a benchmark that prints figures).
grader-throughput: install-dev
	$(BIN)/python -m scripts.grader_throughput
