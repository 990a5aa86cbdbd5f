# The two commands a newcomer needs: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp
# Development commands run with DEBUG on unless told otherwise (it allows the fixed dev key).
DEV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1}

.PHONY: run worker test lint format messages compilemessages i18n-check migrations-check bench prod-check clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Compiles locale/*/LC_MESSAGES/django.po with Babel, so no system gettext is needed to run.
compilemessages: $(STAMP)
	$(BIN)/pybabel compile --domain=django --directory=locale --statistics

run: compilemessages
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py load_demo --with-accounts
	@echo
	@echo "  Site:     http://$(HOST):$(PORT)/   (Bulgarian: /bg/, English: /en/)"
	@echo "  EMN 2018: http://$(HOST):$(PORT)/bg/events/emn-2018/   (the real 2018 conference: past, registration closed)"
	@echo "  Demo:     http://$(HOST):$(PORT)/bg/events/emn-demo/   (a copy a few weeks ahead: register here)"
	@echo "  Admin:    http://$(HOST):$(PORT)/en/admin/"
	@echo
	$(DEV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# A Celery worker with the scheduler (beat) for development. Without CELERY_BROKER_URL, `make run`
# runs tasks in-process and needs no worker; to try the real thing, give both the same broker:
#   CELERY_BROKER_URL=redis://127.0.0.1:6379/0 make run   and   CELERY_BROKER_URL=… make worker
worker: compilemessages
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0"; exit 2; }
	$(DEV) $(BIN)/celery -A emn_conference worker --beat --loglevel INFO --schedule $(VENV)/celerybeat-schedule

test: compilemessages
	$(BIN)/pytest

# Deploys the site as production does (check --deploy, migrate, collectstatic, the demo) into a
# temporary directory and serves it with gunicorn and gunicorn.conf.py: pages, headers, static
# files and the access log. Uses REDIS_URL when set. A skip (gunicorn missing) fails here.
prod-check: compilemessages
	REQUIRE_MARKED_TESTS=production $(BIN)/pytest -p no:cacheprovider tests/test_production.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extracts every marked string into the Bulgarian catalogue (needs GNU gettext's xgettext).
messages: $(STAMP)
	$(DEV) $(BIN)/python manage.py makemessages --locale=bg --ignore=staticfiles --ignore=build --no-obsolete

# Fails when a string is marked but missing from the catalogue, untranslated or fuzzy.
i18n-check: messages compilemessages
	$(BIN)/pytest -q -p no:randomly tests/test_translations.py

# The benchmark suite against the PostgreSQL of DATABASE_URL (it creates and drops its own
# databases): one table of figures, each a ratio to a floor measured in the same run. One part
# alone: `make bench PART=pages` (service, rush, pages, exports, admin). See docs/benchmarks.md.
bench: compilemessages
	$(BIN)/python -m bench $(PART) $(BENCH_ARGS)

migrations-check: $(STAMP)
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
