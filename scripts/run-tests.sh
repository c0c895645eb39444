#!/usr/bin/env bash
# Run the test suite: `run-tests.sh WORKERS [pytest arguments...]` (called by `make test`).
#
# WORKERS 0 runs everything in one pytest process. Otherwise the tests marked "alone" (they restart
# the PostgreSQL server every test shares) run first on their own, then the rest in WORKERS
# pytest-xdist processes, each with its own test database. Exit code 5 (no test selected) of the
# first run is fine: a PYTEST_ARGS path may hold no such test.
set -uo pipefail
workers="$1"
shift
if [[ "$workers" == "0" ]]; then
  exec "${PYTEST:-.venv/bin/pytest}" "$@"
fi
pytest="${PYTEST:-.venv/bin/pytest}"
"$pytest" -m alone "$@"
alone=$?
"$pytest" -n "$workers" -m "not alone" "$@"
rest=$?
if [[ $alone -ne 0 && $alone -ne 5 ]]; then
  exit "$alone"
fi
exit "$rest"
