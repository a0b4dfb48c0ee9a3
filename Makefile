# The two set-up commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Tests and the setup run against SQLite unless told otherwise; `make test` adds a
# PostgreSQL pass when DATABASE_URL points at one.
PG_URL := $(DATABASE_URL)
# `make run` and the first test pass name SQLite explicitly: a DATABASE_URL in .env would
# otherwise fill in for an unset one and seed the demo accounts into that database.
SQLITE_URL := sqlite:///$(CURDIR)/db.sqlite3
# One test process per core (pytest-xdist); a test class stays on one process, so the admin
# matrix builds its records once.
PYTEST_ARGS ?= -n auto --dist loadscope
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install messages static bench lint format clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

.system-deps: scripts/system-deps.sh
	scripts/system-deps.sh

install: $(VENV)/.installed node_modules/.installed .system-deps messages

messages: $(VENV)/.installed .system-deps
	$(MANAGE) compilemessages --ignore=$(VENV) --ignore=node_modules -v0

static: install
	$(MANAGE) collectstatic --noinput -v0

run: install static
	DATABASE_URL=$(SQLITE_URL) $(MANAGE) migrate --noinput
	DATABASE_URL=$(SQLITE_URL) $(MANAGE) seed_demo
	@echo "UnionPortal: http://$(HOST):$(PORT)/  (back office: /admin/)"
	DATABASE_URL=$(SQLITE_URL) $(MANAGE) runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DATABASE_URL=$(SQLITE_URL) $(MANAGE) makemigrations --check --dry-run -v0
	DATABASE_URL=$(SQLITE_URL) DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest $(PYTEST_ARGS)
	@if [[ "$(PG_URL)" == postgres* ]]; then \
		echo "== again on PostgreSQL ($(PG_URL))"; \
		DATABASE_URL="$(PG_URL)" DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest $(PYTEST_ARGS); \
	fi

bench: install static
	$(PY) bench/run.py

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3* .pytest_cache
