# The two commands a newcomer needs: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp
# Development commands run with DEBUG on unless told otherwise (it allows the fixed dev key).
DEV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1}

.PHONY: run test lint format messages compilemessages i18n-check migrations-check bench clean

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
	@echo "  Agenda:   http://$(HOST):$(PORT)/bg/events/emn-2018/agenda/"
	@echo "  Admin:    http://$(HOST):$(PORT)/en/admin/"
	@echo
	$(DEV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: compilemessages
	$(BIN)/pytest

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

# The registration rush, measured (use DATABASE_URL=postgres://… for a meaningful figure).
bench: $(STAMP)
	$(BIN)/python bench/registration_rush.py

migrations-check: $(STAMP)
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
