# AMG-portal: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE := amg_portal.settings
# The Makefile is for development: DEBUG unless the environment says otherwise.
export DEBUG ?= true

.PHONY: run test lint format messages makemessages setup bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP) messages

messages: $(STAMP)
	$(BIN)/python manage.py compilemessages --ignore=.venv --verbosity 0

# Each app keeps its own catalogue in <app>/locale; the project's own strings live in locale/.
# `make makemessages` updates all of them, `make makemessages APP=kortlaegning` one app's, and
# `make makemessages APP=.` only the project's own.
APPS := kortlaegning sten_i_skoen handlingsplan amg_portal/dashboard
MAKEMESSAGES := makemessages -l da -l en --no-location --no-obsolete --verbosity 0
ROOT_MESSAGES := $(BIN)/python manage.py $(MAKEMESSAGES) --ignore=.venv --ignore=staticfiles \
	--ignore=test-results --ignore=tests --ignore=bench $(foreach app,$(APPS),--ignore=$(app)/*)
makemessages: $(STAMP)
ifeq ($(APP),)
	$(ROOT_MESSAGES)
	for app in $(APPS); do (cd $$app && $(CURDIR)/$(BIN)/python $(CURDIR)/manage.py $(MAKEMESSAGES)) || exit 1; done
else ifeq ($(APP),.)
	$(ROOT_MESSAGES)
else
	cd $(APP) && $(CURDIR)/$(BIN)/python $(CURDIR)/manage.py $(MAKEMESSAGES)
endif

# Serve the demo on http://127.0.0.1:8000 (embedded SQLite unless DATABASE_URL is set).
run: setup
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite on real PostgreSQL (a private throwaway cluster unless DATABASE_URL is set).
test: setup lint
	DJANGO_ALLOW_ASYNC_UNSAFE=true scripts/with-postgres.sh $(BIN)/pytest $(PYTEST_ARGS)

# Benchmarks (bench/): query counts and timings on real PostgreSQL; not part of `make test`.
# Then the HTTP benchmark under gunicorn on one university's data (bench/README.md);
# `make bench BENCH_UNIVERSITIES=10` builds ten universities' data instead (slow).
BENCH_UNIVERSITIES ?= 1
bench: setup
	DJANGO_ALLOW_ASYNC_UNSAFE=true scripts/with-postgres.sh $(BIN)/pytest bench -q -s -p no:cacheprovider $(PYTEST_ARGS)
	BENCH_UNIVERSITIES=$(BENCH_UNIVERSITIES) scripts/with-postgres.sh $(BIN)/python -m bench.http_bench

clean:
	rm -rf $(VENV) staticfiles test-results .pytest_cache db.sqlite3
