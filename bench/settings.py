"""Settings for the HTTP benchmark: the production settings (DEBUG off) plus two bare views.

Only ``bench/http_bench.py`` uses this module, for the gunicorn server it starts and for its own
query counts. Static files come from a collectstatic run into ``BENCH_STATIC_ROOT``.
"""

import os

from amg_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
# Measure how long a PDF takes instead of stopping at the production limit (20 s).
PDF_TIMEOUT = float(os.environ.get("BENCH_PDF_TIMEOUT", "300"))
