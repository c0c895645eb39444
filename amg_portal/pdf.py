"""THE PDF helper: render a Django template to A4 PDF bytes with WeasyPrint, locked down.

* The URL fetcher resolves only the app's own static files (through the staticfiles finders, so
  it works without ``collectstatic``) and ``data:`` URIs. ``file:``, ``http(s)`` to anywhere
  (127.0.0.1 included), redirects and every other scheme are refused before any I/O happens, so
  nothing a user typed into a text field can make the renderer read a file or reach the network.
  Attachments (``rel="attachment"``) are refused altogether, static files included.
* Rendering runs in a forked child process that is killed after ``settings.PDF_TIMEOUT`` seconds
  (default 20): a pathological document cannot hold a worker forever.

Usage from a view::

    pdf = render_pdf("handlingsplan/pdf/apv.html", context, request=request)
    return pdf_response(pdf, "apv-handlingsplan.pdf")

Templates extend ``templates/pdf/base.html`` (header, A4 page numbers and date from
``static/css/pdf.css``) and add their own stylesheet in ``{% block pdf_css %}``.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML
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


def _render_in_process(html: str) -> PdfOutput:
    fetcher = SafeURLFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    fetcher.attachments_only = True  # no file, not even a static one, is embedded in a PDF
    pdf = document.write_pdf()
    return PdfOutput(pdf=pdf, refused=tuple(fetcher.refused))


def _child(html: str, conn) -> None:
    try:
        output = _render_in_process(html)
        conn.send(("ok", output.pdf, output.refused))
    except Exception as exc:  # the parent turns it into a PdfError
        conn.send(("error", repr(exc), ()))
    finally:
        conn.close()


def html_to_pdf(html: str, *, timeout: float | None = None) -> PdfOutput:
    """Render an HTML string to PDF in a child process killed after ``timeout`` seconds."""
    timeout = timeout if timeout is not None else getattr(settings, "PDF_TIMEOUT", DEFAULT_TIMEOUT)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(html, sender), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise PdfError(f"PDF rendering took longer than {timeout} seconds")
        status, payload, refused = receiver.recv()
    except EOFError:
        raise PdfError("PDF renderer exited without a result") from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(1)
    if status != "ok":
        raise PdfError(payload)
    return PdfOutput(pdf=payload, refused=tuple(refused))


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


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """An HTTP response carrying ``pdf``, shown in the browser (or downloaded when not inline)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    safe_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", filename) or "document.pdf"
    response["Content-Disposition"] = f'{disposition}; filename="{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
