"""THE PDF helper: render a Django template to A4 PDF bytes with WeasyPrint, locked down.

* The URL fetcher resolves only the app's own static files (through the staticfiles finders, so
  it works without ``collectstatic``) and ``data:`` URIs. ``file:``, ``http(s)`` to anywhere
  (127.0.0.1 included), redirects and every other scheme are refused before any I/O happens, so
  nothing a user typed into a text field can make the renderer read a file or reach the network.
  Attachments (``rel="attachment"``) are refused altogether, static files included.
* Rendering runs in the calling thread, with a watchdog that interrupts it after
  ``settings.PDF_TIMEOUT`` seconds (default 20): a pathological document cannot hold a worker
  forever. The watchdog raises an exception inside the rendering thread (WeasyPrint's layout is
  Python, so it is interrupted within one short native call), which works under gunicorn's sync
  and threaded workers alike and costs no process per render (a forked child did: its own font
  set-up and warm-up, every time).
* Speed (issue 15): Python's garbage collector is paused while a document is loaded and
  rendered (``render_once``, ``html_to_pdf``), the indentation between table tags is dropped
  before WeasyPrint parses, its user-agent stylesheet leaves out what no document uses
  (``PortalHTML``), and each thread keeps its font configuration between renders. WeasyPrint's
  time follows the lines it lays out, about a millisecond each, and every table cell is at least
  one: a template helps with few, short cells, each one run of text styled by the cell's class
  (an inline element, ``<strong>``, ``<span>``, ``<br>``, inside a cell costs about as much as
  another cell).

Usage from a view::

    pdf = render_pdf("handlingsplan/pdf/apv.html", context, request=request)
    return pdf_response(pdf, "apv-handlingsplan.pdf")

Templates extend ``templates/pdf/base.html`` (header, A4 page numbers and date from
``static/css/pdf.css``) and add their own stylesheet in ``{% block pdf_css %}``.
"""

from __future__ import annotations

import ctypes
import datetime
import functools
import gc
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import connection, models
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# A host that can never resolve (RFC 6761): relative URLs in the template resolve against it, and
# only URLs under its static prefix are ever answered.
BASE_URL = "https://amg-portal-pdf.invalid/"
DEFAULT_TIMEOUT = 20.0
_MIME = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}
_SAFE_STATIC_PATH = re.compile(r"^[A-Za-z0-9_./-]+$")


class PdfError(Exception):
    """The PDF could not be produced (time limit exceeded or renderer failure)."""


class SafeURLFetcher(URLFetcher):
    """Answers static files of this app and ``data:`` URIs; refuses everything else."""

    def __init__(self) -> None:
        # The parent's opener only ever sees data: URIs; no redirects in any case.
        super().__init__(timeout=5, allowed_protocols={"data"}, allow_redirects=False)
        self.refused: list[str] = []
        # Set once the layout is done: all that is fetched after it are PDF attachments.
        self.attachments_only = False

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if self.attachments_only:
            self.refused.append(url)
            raise ValueError(f"Refused attachment: {url[:200]}")
        if url.lower().startswith("data:"):
            return super().fetch(url, headers)
        path = static_path_for(url)
        if path is None:
            self.refused.append(url)
            logger.warning("PDF renderer refused to fetch %s", url[:200])
            raise ValueError(f"Refused URL: {url[:200]}")
        suffix = path.suffix.lower()
        return URLFetcherResponse(
            url, path.read_bytes(), {"Content-Type": _MIME.get(suffix, "application/octet-stream")}
        )


def static_path_for(url: str) -> Path | None:
    """The file behind ``url`` if it names one of the app's static files, else None."""
    prefix = BASE_URL + settings.STATIC_URL.lstrip("/")
    if not url.startswith(prefix):
        return None
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        return None
    relative = unquote(url[len(prefix) :])
    if not _SAFE_STATIC_PATH.match(relative) or ".." in relative.split("/"):
        return None
    found = finders.find(relative)
    if found and not isinstance(found, list):
        return Path(found)
    return _collected_static_path(relative)


def _collected_static_path(relative: str) -> Path | None:
    """A hashed name written by ``collectstatic`` (``css/pdf.3f2a….css``), from the manifest.

    In production ``{% static %}`` and the stylesheets' own ``url()`` references name the hashed
    copies in STATIC_ROOT, which the finders do not know. Only names listed in the manifest are
    answered, so nothing else in STATIC_ROOT is reachable.
    """
    storage = staticfiles_storage
    hashed_files = getattr(storage, "hashed_files", None)
    if not hashed_files or relative not in set(hashed_files.values()):
        return None
    path = Path(storage.path(relative))
    return path if path.is_file() else None


@dataclass(frozen=True)
class PdfOutput:
    pdf: bytes
    refused: tuple[str, ...]


# The indentation templates put between table rows and cells is never shown, but WeasyPrint's HTML
# parser handles it in its slow table-text mode and the layout builds and drops a box for each
# piece: about a tenth of an APV's render. Only ASCII whitespace right before a table tag goes (a
# no-break space is content).
_TABLE_INDENT = re.compile(
    r">[ \t\r\n\f]+(?=</?(?:table|caption|colgroup|col|thead|tbody|tfoot|tr|td|th)[ \t\r\n\f>/])"
)


def without_table_indentation(html: str) -> str:
    """``html`` without the whitespace between a tag and a following table tag."""
    return _TABLE_INDENT.sub(">", html)


# WeasyPrint's user-agent stylesheet gives *every* element five pseudo-elements for footnotes and
# notes (``::footnote-call``, ``::note-marker`` …) and a ``::marker``: six computed styles per
# element, which no AMG-portal document uses (no ``float: footnote``, markers only on list items).
# Its rules for them are left out (``::marker`` kept for ``li``): a tenth of an APV's styling time.
# So are its rules for the page's corner and side margin boxes, which no document fills: a margin
# box without a rule shares the page's style, one with a rule has its style computed again on
# every page (a stylesheet that fills ``@left-middle`` must then say how to align it).
_UNUSED_UA_RULES = (
    "::footnote-call {",
    "::footnote-marker {",
    "::note-call {",
    "::note-marker {",
    "::note-callback {",
    "@top-left-corner ",
    "@top-right-corner ",
    "@bottom-left-corner ",
    "@bottom-right-corner ",
    "@left-top ",
    "@left-middle ",
    "@left-bottom ",
    "@right-top ",
    "@right-middle ",
    "@right-bottom ",
)


@functools.cache
def _portal_ua_stylesheets() -> list | None:
    """WeasyPrint's user-agent stylesheet without the rules in ``_UNUSED_UA_RULES``, or None
    (WeasyPrint's own) when its text is not as expected."""
    from weasyprint import CSS
    from weasyprint import html as weasy_html
    from weasyprint.css.counters import CounterStyle

    lines = weasy_html.UA.splitlines(keepends=True)
    kept = [line for line in lines if not line.lstrip().startswith(_UNUSED_UA_RULES)]
    counters = next((i for i, line in enumerate(kept) if line.startswith("@counter-style")), None)
    # The @counter-style rules at its end are already in WeasyPrint's counter styles.
    text = "".join(kept[: counters or 0])
    if len(lines) - len(kept) != len(_UNUSED_UA_RULES) or "\n::marker {" not in text:
        logger.warning("WeasyPrint's user-agent stylesheet changed; using it as it is")
        return None
    text = text.replace("\n::marker {", "\nli::marker {")
    return [CSS(string=text, counter_style=CounterStyle())]


class PortalHTML(HTML):
    """WeasyPrint's HTML with the user-agent stylesheet of ``_portal_ua_stylesheets``."""

    def _ua_stylesheets(self, forms: bool = False) -> list:
        trimmed = None if forms else _portal_ua_stylesheets()
        return trimmed if trimmed is not None else super()._ua_stylesheets(forms)


_fonts = threading.local()


def _font_config() -> FontConfiguration:
    """This thread's WeasyPrint font configuration, kept from one render to the next.

    A render makes a new one by default: Fontconfig's configuration loaded again and a new Pango
    font map, so every font is opened and its glyphs measured afresh (a few tens of milliseconds
    of a render). Pango's font maps are not shared between threads; no document has
    ``@font-face`` rules (which would add their fonts to it for the thread's later renders).
    """
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


def _render_in_process(html: str) -> PdfOutput:
    fetcher = SafeURLFetcher()
    html = without_table_indentation(html)
    document = PortalHTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        font_config=_font_config()
    )
    fetcher.attachments_only = True  # no file, not even a static one, is embedded in a PDF
    pdf = document.write_pdf()
    return PdfOutput(pdf=pdf, refused=tuple(fetcher.refused))


_collector_lock = threading.Lock()
_collector_pauses = 0
_collector_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while WeasyPrint renders.

    A render allocates a few hundred thousand objects that live until it ends (the box tree, the
    styles), so the collector ran hundreds of times during one render, each time walking the
    growing tree, and a few full collections walked the whole worker (Django, the templates) as
    well: about a fifth of a render's time (issue 15). Reference counting still frees everything
    that is not in a cycle; the cycles of the finished document are collected by the first
    collection after the render. Nested and concurrent renders (threads) share one pause: the
    collector is on again when the last one ends, if it was on before the first.
    """
    global _collector_pauses, _collector_was_enabled
    with _collector_lock:
        if _collector_pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _collector_pauses += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_pauses -= 1
            if _collector_pauses == 0 and _collector_was_enabled:
                gc.enable()


class _Deadline(BaseException):
    """Raised inside the rendering thread by the watchdog (a BaseException, so that no
    ``except Exception`` in the renderer swallows it)."""


T = TypeVar("T")


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None
    )


def run_with_deadline(work: Callable[[], T], timeout: float) -> T:
    """``work()`` in this thread, interrupted with ``PdfError`` after ``timeout`` seconds."""
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"finished": False, "fired": False}
    stop = threading.Event()

    def watchdog() -> None:
        if stop.wait(timeout):
            return
        # Again and again until it lands: one raised inside a finaliser (a weakref callback, a
        # __del__) is swallowed by Python as "unraisable".
        while True:
            with lock:
                if state["finished"]:
                    return
                state["fired"] = True
                _set_async_exc(target, _Deadline)
            if stop.wait(0.05):
                return

    watcher = threading.Thread(target=watchdog, name="pdf-deadline", daemon=True)
    watcher.start()
    try:
        try:
            return work()
        finally:
            with lock:
                state["finished"] = True
                if state["fired"]:
                    _set_async_exc(target, None)  # clear it, should it not have been raised yet
            stop.set()
    except _Deadline:  # also when it lands in the ``finally`` above, before the lock
        raise PdfError(f"PDF rendering took longer than {timeout} seconds") from None
    finally:
        watcher.join()


def html_to_pdf(html: str, *, timeout: float | None = None) -> PdfOutput:
    """Render an HTML string to PDF in this thread, stopped after ``timeout`` seconds."""
    timeout = timeout if timeout is not None else getattr(settings, "PDF_TIMEOUT", DEFAULT_TIMEOUT)
    try:
        # Paused outside the deadline: its exception cannot land between the render and the
        # collector's restart.
        with collector_paused():
            return run_with_deadline(lambda: _render_in_process(html), timeout)
    except PdfError:
        raise
    except Exception as exc:
        raise PdfError(repr(exc)) from exc


def warm_up() -> None:
    """Render a tiny document with the shared stylesheet once, so this process has WeasyPrint
    imported, its fonts found and Pango set up before the first real PDF (gunicorn calls this in
    each new worker before it takes requests: together about two seconds, not paid by a leader's
    first click). A failure is logged, never raised: the worker then warms up on first use."""
    from django.templatetags.static import static

    html = f'<link rel="stylesheet" href="{static("css/pdf.css")}"><p>AMG-portal æøå</p>'
    try:
        html_to_pdf(html)
    except Exception:
        logger.warning("PDF renderer warm-up failed", exc_info=True)


def render_pdf(
    template_name: str,
    context: dict,
    *,
    request: HttpRequest | None = None,
    timeout: float | None = None,
) -> bytes:
    """Render ``template_name`` with ``context`` to PDF bytes (A4, locked-down fetcher)."""
    html = render_to_string(template_name, context, request=request)
    return html_to_pdf(html, timeout=timeout).pdf


# --- rendered once per version, kept -----------------------------------------------------------

# One advisory-lock namespace for "a PDF under this key is being rendered" (the two-number form,
# so it never meets `manage.py once`'s single-number job locks).
_LOCK_CLASS = 0x50_44_46  # "PDF"
WAIT_POLL = 0.1  # seconds between looks for another process's render


def render_once(
    key: str,
    *,
    find: Callable[[], bytes | None],
    render: Callable[[], bytes],
    wait: float | None = None,
) -> bytes:
    """The PDF stored under ``key`` (``find``), else ``render()`` (which stores it) — once.

    A process that finds another one rendering the same key (a PostgreSQL advisory lock, held
    while rendering and storing) waits for its result instead of rendering the same document
    twice: at most ``wait`` seconds (default: the render time limit), then it renders itself.
    ``render()`` runs with the garbage collector paused (``collector_paused``) from its first
    query to the stored PDF, not only while WeasyPrint renders: loading a plan and building its
    HTML had the collector walk the worker's whole heap in the middle of a click (a full
    collection, a tenth of the APV's render).
    """
    render = _paused(render)
    found = find()
    if found is not None or connection.vendor != "postgresql":
        return found if found is not None else render()
    lock = lock_id(key)
    wait = wait if wait is not None else getattr(settings, "PDF_TIMEOUT", DEFAULT_TIMEOUT)
    deadline = time.monotonic() + wait
    while not _advisory("pg_try_advisory_lock", lock):
        if time.monotonic() >= deadline:
            logger.warning("PDF %s: still being rendered elsewhere; rendering it here", key[:12])
            return render()
        time.sleep(WAIT_POLL)
        found = find()
        if found is not None:
            return found
    try:
        found = find()  # stored by the one we waited for, between our last look and the lock
        return found if found is not None else render()
    finally:
        _advisory("pg_advisory_unlock", lock)


def _paused(render: Callable[[], bytes]) -> Callable[[], bytes]:
    def paused() -> bytes:
        with collector_paused():
            return render()

    return paused


def lock_id(key: str) -> int:
    """The advisory lock (in the PDF namespace) held while ``key`` is rendered."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big", signed=True)


def _advisory(function: str, lock: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [_LOCK_CLASS, lock])
        return bool(cursor.fetchone()[0])


# What `manage.py render_pdfs` renders: each app registers a function (in its AppConfig.ready)
# that renders the PDFs queued after changes and returns how many it rendered.
QUEUED_RENDERERS: dict[str, Callable[[], int]] = {}


def register_queued_renderer(name: str, render_queued: Callable[[], int]) -> None:
    """Let ``manage.py render_pdfs`` render ``name``'s queued PDFs with ``render_queued``."""
    QUEUED_RENDERERS[name] = render_queued


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """An HTTP response carrying ``pdf``, shown in the browser (or downloaded when not inline)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    safe_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", filename) or "document.pdf"
    response["Content-Disposition"] = f'{disposition}; filename="{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- jobs: a changed document queued to be rendered before anyone clicks -----------------------

# A queued version nobody rendered within a week (a bulk import, a worker that died) is left to
# its first click rather than rendered by the scheduled job.
JOB_MAX_AGE = datetime.timedelta(days=7)


def queue_job(job_model: type[models.Model], owner: str, owner_id: int) -> None:
    """Queue ``owner``'s document (one job row per document: the latest change's language and
    time) inside the change's transaction."""
    job_model.objects.bulk_create(
        [
            job_model(
                **{f"{owner}_id": owner_id},
                language=translation.get_language() or "da",
                requested_at=timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=[owner],
        update_fields=["language", "requested_at"],
    )


def render_job(job_model: type[models.Model], owner: str, obj, language: str, render) -> None:
    """``render()`` ``obj``'s document in ``language``, then drop its job unless a change came
    after the render started (that change's job stays for the next render)."""
    started = timezone.now()
    with translation.override(language):
        render()
    job_model.objects.filter(**{owner: obj}, requested_at__lte=started).delete()


def pending_jobs(job_model: type[models.Model], related: str) -> models.QuerySet:
    """The queued jobs, oldest first, after dropping those older than ``JOB_MAX_AGE``."""
    job_model.objects.filter(requested_at__lt=timezone.now() - JOB_MAX_AGE).delete()
    return job_model.objects.select_related(related).order_by("requested_at")
