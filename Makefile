# AMG-portal: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE := amg_portal.settings

.PHONY: run test lint format messages makemessages setup clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP) messages

messages: $(STAMP)
	$(BIN)/python manage.py compilemessages --ignore=.venv --verbosity 0

makemessages: $(STAMP)
	$(BIN)/python manage.py makemessages -l da -l en --no-location --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=test-results

# Serve the demo on http://127.0.0.1:8000 (embedded SQLite unless DATABASE_URL is set).
run: setup
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite on real PostgreSQL (a private throwaway cluster unless DATABASE_URL is set).
test: setup lint
	DJANGO_ALLOW_ASYNC_UNSAFE=true scripts/with-postgres.sh $(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles test-results .pytest_cache db.sqlite3
