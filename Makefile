# Python 3.12+ is required (Django 6.1). pyenv selects it through .python-version.
PYTHON ?= $(shell command -v pyenv >/dev/null 2>&1 && pyenv which python 2>/dev/null || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev assets test test-postgres lint typecheck run

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Bootstrap comes from npm and is served by Django from node_modules (no CDN).
assets: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

install: $(BIN)/python assets
	$(BIN)/pip install -q -r requirements.txt

install-dev: $(BIN)/python assets
	$(BIN)/pip install -q -r requirements-dev.txt

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The site's services and selectors, typed against django-stubs (files: pyproject.toml).
typecheck: install-dev
	$(BIN)/mypy

test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

# The database-backed tests again (and the fuzz test: NUL and overflow errors differ by
# database), on a throwaway PostgreSQL server (needs Debian's postgresql).
test-postgres: install-dev
	scripts/with-postgres.sh $(BIN)/pytest -q tests/accounts tests/content tests/quizzes tests/fixtures tests/config tests/test_fuzz.py

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_content
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

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
