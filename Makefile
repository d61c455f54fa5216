# Python 3.12+ is required (Django 6.1). pyenv selects it through .python-version.
PYTHON ?= $(shell command -v pyenv >/dev/null 2>&1 && pyenv which python 2>/dev/null || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The collector tests also run the grader under CPython 3.13 (tests/grader/test_gc_lessons.py), in
# a virtual environment of its own holding the grader's one dependency. Skipped if none is found.
PYENV313 := $(shell command -v pyenv >/dev/null 2>&1 && ls -d "$$(pyenv root)"/versions/3.13.*/bin/python 2>/dev/null | head -n 1)
PYTHON313 ?= $(or $(PYENV313),$(shell python3.13 -c '' 2>/dev/null && command -v python3.13))
VENV313 := .venv313
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev assets test test-postgres lint typecheck run grader313

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Bootstrap comes from npm and is served by Django from node_modules (no CDN).
assets: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

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

# The site's services and selectors, typed against django-stubs (files: pyproject.toml).
typecheck: install-dev
	$(BIN)/mypy

test: install-dev grader313
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
