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

# `make test` reads no .env at all (ENV_FILE=/dev/null): a .env written for a server (DEBUG=0,
# REDIS_URL, DATABASE_URL...) would otherwise change what the suite tests.
TEST_ENV := ENV_FILE=/dev/null DJANGO_ALLOW_ASYNC_UNSAFE=true

.PHONY: run test install assets messages static bench lint format clean lighthouse

# Debian packages (python3-venv, gettext, Chromium, nginx, Redis...): the stamp lives inside
# .venv so `make clean` forgets it too; the script installs only what is missing.
$(VENV)/.system-deps: scripts/system-deps.sh
	scripts/system-deps.sh
	mkdir -p $(VENV) && touch $@

# Development and tests install requirements-dev.txt (it includes requirements.txt, the
# production set a server installs).
$(VENV)/.installed: requirements.txt requirements-dev.txt $(VENV)/.system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Files generated from the npm packages into static/build/ (git-ignored): the ECharts bundle of
# the charts we use and the sprite of the icons the templates use. Always rebuilt (a second).
assets: node_modules/.installed
	node scripts/build-assets.mjs

install: $(VENV)/.installed node_modules/.installed assets messages

messages: $(VENV)/.installed
	$(MANAGE) compilemessages --ignore=$(VENV) --ignore=node_modules -v0

static: install
	$(MANAGE) collectstatic --noinput -v0

run: install static
	DATABASE_URL=$(SQLITE_URL) $(MANAGE) migrate --noinput
	DATABASE_URL=$(SQLITE_URL) $(MANAGE) seed_demo
	@echo "UnionPortal: http://$(HOST):$(PORT)/  (back office: /admin/)"
	DATABASE_URL=$(SQLITE_URL) $(MANAGE) runserver $(HOST):$(PORT)

# The checks `make test` runs before the tests, and only those.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(TEST_ENV) DATABASE_URL=$(SQLITE_URL) $(MANAGE) makemigrations --check --dry-run -v0

test: lint
	$(TEST_ENV) DATABASE_URL=$(SQLITE_URL) $(VENV)/bin/pytest $(PYTEST_ARGS)
	@if [[ "$(PG_URL)" == postgres* ]]; then \
		echo "== again on PostgreSQL ($(PG_URL))"; \
		$(TEST_ENV) DATABASE_URL="$(PG_URL)" $(VENV)/bin/pytest $(PYTEST_ARGS); \
	fi

# Lighthouse (mobile) over every public page of the demo site, DEBUG off; slow, not in `make test`.
lighthouse: install
	scripts/lighthouse.sh

bench: install static
	$(PY) bench/run.py

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Everything the other targets generate: the virtualenv (with the system-deps stamp),
# npm packages, compiled catalogues, collected static files, the development database and its
# uploads and private files, test and benchmark output. Never run it in a server's checkout
# whose MEDIA_ROOT or private folders are the defaults.
clean:
	rm -rf $(VENV) node_modules staticfiles static/build .pytest_cache .ruff_cache .hypothesis test-results
	rm -rf db.sqlite3 db.sqlite3-* media private welfare_private contests_private sms
	rm -rf bench/results bench/bench.sqlite3 bench/bench.sqlite3-*
	find . -path ./.git -prune -o -name '*.mo' -path '*/LC_MESSAGES/*' -type f -print0 | xargs -0 rm -f
	find . -path ./.git -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf
