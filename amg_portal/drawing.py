"""What draws the pages we keep: a digest of the code, so that a deploy makes new drawings.

The results sections (``kortlaegning.ResultPage``) and the PDFs are drawn once and kept. What
they look like depends on the data (their keys say which) and on the code that drew them: the
templates, the compiled translations, the stylesheets and the Python that builds the charts. A
kept drawing must never outlive that code — a corrected translation or a new chart has to reach
rounds closed years ago — so each key carries ``code_digest()`` of what drew it, and a deploy that
changes any of it simply draws again at the next visit (the daily purge deletes what no key
reaches any more).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders


def _template_dirs() -> list[Path]:
    dirs = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    from django.apps import apps

    dirs += [Path(app.path) / "templates" for app in apps.get_app_configs()]
    base = Path(settings.BASE_DIR).resolve()
    return [d for d in dirs if d.is_dir() and _own(d.resolve(), base)]


def _own(path: Path, base: Path) -> bool:
    """The project's own files: under its directory, not in an installed package (a virtualenv
    inside the project directory included)."""
    return path.is_relative_to(base) and "site-packages" not in path.parts


def _catalogue_files() -> list[Path]:
    roots = [Path(p) for p in settings.LOCALE_PATHS] + [
        d.parent / "locale" for d in _template_dirs()
    ]
    return sorted({f for root in roots if root.is_dir() for f in root.rglob("*.mo")})


@functools.cache
def code_digest(*modules: str, static: tuple[str, ...] = ()) -> str:
    """A short digest of the project's templates and compiled catalogues (every ``.html`` in its
    template directories, every ``.mo``), plus the source of the Python ``modules`` named (e.g.
    ``"amg_portal.charts"``) and the ``static`` files named (a PDF's stylesheets, as
    ``"css/pdf.css"``). Computed once per process; it changes exactly when a deploy changes one
    of those files."""
    digest = hashlib.sha256()
    files = sorted(f for d in _template_dirs() for f in d.rglob("*.html"))
    files += _catalogue_files()
    files += [Path(importlib.import_module(name).__file__) for name in modules]
    files += [Path(finders.find(name)) for name in static]
    base = Path(settings.BASE_DIR).resolve()
    for path in files:
        resolved = path.resolve()
        name = resolved.relative_to(base) if resolved.is_relative_to(base) else resolved
        digest.update(str(name).encode() + b"\0" + resolved.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
