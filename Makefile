# AMG-portal: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE := amg_portal.settings
# The Makefile is for development: DEBUG unless the environment says otherwise.
export DEBUG ?= true

.PHONY: run test serve lint format messages makemessages setup system-deps lock bench clean

# The virtualenv holds exactly the versions in requirements.lock (hash-checked); pyproject.toml
# keeps the compatible ranges for people who install AMG-portal as a package.
LOCK := requirements.lock
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	touch $(STAMP)

setup: $(STAMP) messages

# Regenerate requirements.lock from pyproject.toml (after adding or changing a dependency). Pins
# already in the lock are kept where the ranges still allow them; `make lock UPGRADE=1` moves every
# package to the newest version the ranges allow. One lock for Python 3.11-3.13 on every platform.
lock:
	test -x $(BIN)/uv || { $(PYTHON) -m venv $(VENV) && $(BIN)/pip install --quiet "uv>=0.9,<1"; }
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --quiet $(if $(UPGRADE),--upgrade) -o $(LOCK)

# Debian packages the suite uses (scripts/system-deps.txt), installed when missing; `make run` and
# `make serve` install only the ones serving needs (gettext, Pango, fonts).
system-deps:
	scripts/install-system-deps.sh

messages: $(STAMP)
	scripts/install-system-deps.sh run
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
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

# Production serving: gunicorn (gunicorn.conf.py) with DEBUG off on 127.0.0.1:$(PORT) unless BIND
# names the whole address. Needs SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL in the environment or
# .env; run `manage.py migrate` and `manage.py collectstatic` first (docs/operations.md).
PORT ?= 8000
BIND ?= 127.0.0.1:$(PORT)
serve: $(STAMP) messages
	DEBUG=false scripts/serve.sh --bind $(BIND)

# ruff, then the layers of docs/architecture.md as import-linter contracts (pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite on real PostgreSQL (a private throwaway cluster unless DATABASE_URL is set),
# in TEST_WORKERS processes (pytest-xdist; one per core by default, each with its own test
# database), after the tests marked "alone" (they restart PostgreSQL) ran on their own
# (scripts/run-tests.sh). `make test TEST_WORKERS=0` runs everything in one process.
TEST_WORKERS ?= auto
test: system-deps setup lint
	DJANGO_ALLOW_ASYNC_UNSAFE=true PYTEST=$(BIN)/pytest scripts/with-postgres.sh \
		scripts/run-tests.sh $(TEST_WORKERS) $(PYTEST_ARGS)

# Benchmarks (bench/): query counts and timings on real PostgreSQL; not part of `make test`.
# Then the HTTP benchmark under gunicorn on one university's data (bench/README.md);
# `make bench BENCH_UNIVERSITIES=10` builds ten universities' data instead (slow).
BENCH_UNIVERSITIES ?= 1
bench: setup
	DJANGO_ALLOW_ASYNC_UNSAFE=true scripts/with-postgres.sh $(BIN)/pytest bench -q -s -p no:cacheprovider $(PYTEST_ARGS)
	BENCH_UNIVERSITIES=$(BENCH_UNIVERSITIES) PG_SERVER_OPTIONS="-c shared_buffers=2GB" \
		scripts/with-postgres.sh $(BIN)/python -m bench.http_bench

clean:
	rm -rf $(VENV) staticfiles test-results .pytest_cache db.sqlite3
