#!/usr/bin/env bash
# `make serve`: check the production settings, then run gunicorn (gunicorn.conf.py) in the
# foreground. A missing or weak setting is one line naming it, before any worker starts.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
export DJANGO_SETTINGS_MODULE=amg_portal.settings
"$bin/python" -c 'from amg_portal import startup; startup.load_settings(); startup.probe_database()'
# Copy the hashed, compressed static files into STATIC_ROOT (quick when nothing changed).
"$bin/python" manage.py collectstatic --no-input --verbosity 0
exec "$bin/gunicorn" --config gunicorn.conf.py "$@"
