# Entry points. Each works from a fresh clone: it sets up what it needs first.
#   make run   - the portal with demo data on the embedded default (PostgreSQL from a wheel,
#                a Celery worker and beat on a folder broker, console mail); no root needed
#   make test  - lint and the whole test suite against PostgreSQL and Redis
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements-dev.lock | cut -c1-12)

# The test suite's services; override to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/innonet
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15
TEST_CACHE_URL ?= redis://127.0.0.1:6379/14

# The benchmark's own services; `make bench` drops and recreates this database.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/innonet_bench
BENCH_BROKER_URL ?= redis://127.0.0.1:6379/9
BENCH_CACHE_URL ?= redis://127.0.0.1:6379/8

.PHONY: run test lint setup system-deps services messages catalogues audit bench bench-web \
	bench-relay bench-events chaos

$(STAMP): requirements-dev.lock
	rm -f $(VENV)/.installed-*
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

system-deps:
	bash scripts/system-deps.sh

services:
	bash scripts/services.sh

messages: $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

# make catalogues - after changing strings: both catalogues brought up to date with the
# sources. English entries take the source text (msgen, after emptying fuzzy guesses);
# Japanese ones are left for you to translate (tests/portal/test_i18n.py fails while any is
# empty or fuzzy, or an English one differs from its source).
MESSAGE_SOURCES_IGNORE = --ignore=.venv --ignore=node_modules --ignore=tests --ignore=bench \
	--ignore=staticfiles --ignore=media --ignore=backups --ignore=artifacts
catalogues: $(STAMP)
	$(PY) manage.py makemessages -l ja -l en --no-obsolete $(MESSAGE_SOURCES_IGNORE) -v0
	msgattrib --clear-fuzzy --empty --clear-previous locale/en/LC_MESSAGES/django.po -o locale/en/LC_MESSAGES/django.po
	msgen locale/en/LC_MESSAGES/django.po -o locale/en/LC_MESSAGES/django.po

setup: system-deps $(STAMP) node_modules/.package-lock.json messages

# The portal needs only the virtualenv, Bootstrap and the compiled messages; the Debian
# packages (browser, fonts) are for the tests.
run: $(STAMP) node_modules/.package-lock.json messages
	$(PY) -m innonet.embedded run

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

# make audit - known vulnerabilities in the pinned dependencies (scripts/audit.sh).
audit: $(STAMP) node_modules/.package-lock.json
	bash scripts/audit.sh

test: setup services lint audit
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
	CACHE_URL=$(TEST_CACHE_URL) CELERY_TASK_ALWAYS_EAGER=true $(PY) -m pytest $(PYTEST_ARGS)

# The bench's environment: its own database and Redis dbs, tasks through the broker.
BENCH_ENV = DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_BROKER_URL) \
	CACHE_URL=$(BENCH_CACHE_URL) CELERY_TASK_ALWAYS_EAGER=false DEBUG=false \
	SECRET_KEY=bench-only-not-secret ALLOWED_HOSTS=testserver

# make bench - figures at 10,000 organisations (dues run, member directory, award results,
# survey results, the general assembly's tally), 2,000 concurrent registrations for an event
# of 1,500 places from 20 clients (bench/events.py) and the newsletter's dispatch of 20,000
# messages through Celery workers (bench/run.py); then the eight main pages served by
# gunicorn as deployed (3 sync workers) under wrk at 1 and at 10 clients, at the demo's size
# and at 10,000 organisations, with p50/p95 and each page's SQL queries, and one worker's
# RSS over its requests (bench/web.py); last the same newsletter through a relay that
# answers 50 ms late and takes 8 connections, under a limit of 100/s and under none
# (bench/relay.py, about six minutes).
# Setup runs first, as for `make test`, with its output on stderr: stdout is only the figures.
bench:
	@$(MAKE) --no-print-directory setup services >&2
	@$(BENCH_ENV) $(PY) -m bench

# make bench-web - only the pages under load (bench/web.py); BENCH_WEB_SECONDS per wrk run
# (default 5), BENCH_WEB_MEMORY_REQUESTS for the memory line (default 2000).
bench-web:
	@$(MAKE) --no-print-directory setup services >&2
	@$(BENCH_ENV) $(PY) -m bench web

# make bench-relay - only the newsletter through the slow relay (bench/relay.py).
bench-relay:
	@$(MAKE) --no-print-directory setup services >&2
	@$(BENCH_ENV) $(PY) -m bench relay

# make bench-events - only the events' concurrent registrations (bench/events.py).
bench-events:
	@$(MAKE) --no-print-directory setup services >&2
	@$(BENCH_ENV) $(PY) -m bench events

# make chaos - the newsletter's workers killed five times mid-dispatch, into the sink and
# then into the slow relay under a limit of 100/s: nothing may be lost, at most one message
# sent twice per SMTP connection killed; see bench/chaos.py. Output as for `make bench`.
chaos:
	@$(MAKE) --no-print-directory setup services >&2
	@$(BENCH_ENV) $(PY) -m bench chaos
