"""gunicorn configuration for AMG-portal (`make serve`, or `gunicorn amg_portal.wsgi`).

Every value can be overridden on the command line or with GUNICORN_CMD_ARGS; the ones operators
usually change are read from the environment (docs/operations.md, "Production server").
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from gunicorn.glogging import Logger

# The project's directory, wherever gunicorn is started from (systemd's WorkingDirectory or not).
chdir = str(Path(__file__).resolve().parent)
sys.path.insert(0, chdir)
from amg_portal.logredact import redact  # noqa: E402

wsgi_app = "amg_portal.wsgi:application"
bind = [os.environ.get("BIND", "127.0.0.1:8000")]

# Workers: sync processes, two per CPU plus one (gunicorn's advice for a CPU- and I/O-mixed app:
# PDF rendering is CPU, the rest waits on PostgreSQL). Threaded or async worker classes are not
# supported (docs/operations.md). One worker renders one PDF at a time.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) * 2 + 1)
# A PDF may take up to PDF_TIMEOUT (20 s) to render; the worker is only killed well after that.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so memory held by the PDF renderer is given back.
max_requests = 1000
max_requests_jitter = 100
# The proxy in front (nginx, HAProxy, the load balancer) sets X-Forwarded-Proto; trust it only
# from the addresses named in FORWARDED_ALLOW_IPS (default: this machine).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs: one key=value line per request on stdout, gunicorn's own messages on stderr.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    "ts=%(t)s level=INFO logger=gunicorn.access remote=%(h)s method=%(m)s "
    'path="%(U)s" status=%(s)s bytes=%(b)s ms=%(M)s'
)
# Probes from the load balancer come every few seconds: they are not logged.
QUIET_PATHS = re.compile(r"^/(healthz|readyz)/$")


class AccessLogger(Logger):
    """gunicorn's logger without probe noise and without the secrets that travel in URLs."""

    def access(self, resp, req, environ, request_time):
        if QUIET_PATHS.match(environ.get("PATH_INFO", "")) and str(resp.status).startswith("2"):
            return
        super().access(resp, req, environ, request_time)

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }


logger_class = AccessLogger

SUPPORTED_WORKERS = {"sync"}


def on_starting(server):
    """Refuse, in one line, a worker model the PDF time limit is not made for."""
    cfg = server.cfg
    worker = cfg.worker_class_str.rsplit(".", 1)[-1].lower().removesuffix("worker")
    if worker not in SUPPORTED_WORKERS or cfg.threads > 1:
        print(
            f"amg-portal: gunicorn worker class {cfg.worker_class_str!r} with {cfg.threads} "
            "threads is not supported; use the sync worker (docs/operations.md).",
            file=sys.stderr,
        )
        raise SystemExit(1)


def post_worker_init(worker):
    """Load the URLconf with its views, the catalogues and the PDF renderer before the worker
    takes requests (amg_portal.startup.warm_up_worker)."""
    from amg_portal.startup import warm_up_worker

    warm_up_worker()
