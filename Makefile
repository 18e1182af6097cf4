# khuyencong: the two commands of the README are `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails point at the portal as `make run` serves it (HOST:PORT), unless SITE_URL is set.
export SITE_URL ?= http://$(HOST):$(PORT)
# Two workers (the machines have two cores); PYTEST_ARGS= runs in one process.
PYTEST_ARGS ?= -n 2
# A laptop, CI and the demo run as DJANGO_ENV=local (development key, plain HTTP, DEBUG still off so
# the portal's own error pages show); production sets nothing of the kind (see README).
export DJANGO_ENV ?= local

.PHONY: run test lint setup messages migrate demo worker beat serve-prod clean

setup:
	@./scripts/bootstrap.sh

## make messages: compile the message catalogues (.mo files are not committed); a .po is compiled
## only when it is newer than its .mo, so this is quick when nothing changed.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
messages: $(MO_FILES)

locale/%.mo: locale/%.po | setup
	$(PY) manage.py compilemessages --ignore=.venv --locale=$(firstword $(subst /, ,$*))

migrate: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference
	$(PY) manage.py load_project_reference

demo: migrate
	$(PY) manage.py load_demo

## make run: install what is missing, migrate, load reference and demo data, serve on 127.0.0.1:8000
run: demo messages
	$(PY) manage.py runserver $(HOST):$(PORT)

## make lint: ruff (style, complexity ≤ 15) and the import-linter layers contract of pyproject.toml
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

## make test: lint and the whole test suite (SQLite by default, PostgreSQL when DATABASE_URL is set)
test: setup messages lint
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

## make worker / make beat: the real Celery worker and scheduler against REDIS_URL
worker: setup
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL (for example redis://127.0.0.1:6379/0): without it jobs run in-process and no worker is needed."; exit 1; }
	$(VENV)/bin/celery -A khuyencong worker --loglevel=info

beat: setup
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL (for example redis://127.0.0.1:6379/0): the scheduler sends jobs through it."; exit 1; }
	$(VENV)/bin/celery -A khuyencong beat --loglevel=info

clean:
	rm -rf db.sqlite3 media .test-media staticfiles
