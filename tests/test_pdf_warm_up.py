"""Each gunicorn worker warms up before it takes requests (issue 15): the URLconf with every view
(djangosaml2's schemas: seconds), the catalogues, WeasyPrint's import, font set-up and first render
are not paid by a leader's click on a fresh worker."""

from __future__ import annotations

import gc
import logging
import runpy
import weakref
from pathlib import Path

import pytest
from django.urls import get_resolver
from django.urls.resolvers import _get_cached_resolver

from amg_portal import pdf, startup

CONFIG = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


@pytest.fixture(autouse=True)
def _unfrozen():
    """The warm-up freezes what the process holds (for a worker's life): not the test run's."""
    yield
    gc.unfreeze()


def test_a_new_worker_warms_up(monkeypatch):
    calls = []
    monkeypatch.setattr(startup, "warm_up_worker", lambda: calls.append("warm"))
    hooks = runpy.run_path(str(CONFIG))
    hooks["post_worker_init"](None)
    assert calls == ["warm"]


def test_the_worker_warm_up_loads_the_urlconf_and_the_renderer(monkeypatch):
    calls = []
    monkeypatch.setattr(pdf, "warm_up", lambda: calls.append("pdf"))
    _get_cached_resolver.cache_clear()  # as in a fresh process: the URLconf not loaded yet
    assert "url_patterns" not in vars(get_resolver())
    startup.warm_up_worker()
    assert "url_patterns" in vars(get_resolver())  # the URLconf, and so every view, is loaded
    assert calls == ["pdf"]


def test_the_warm_up_takes_what_it_loaded_out_of_the_collectors_sight(monkeypatch):
    monkeypatch.setattr(pdf, "warm_up", lambda: None)
    gc.unfreeze()
    startup.warm_up_worker()
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # Django, the URLconf with every view, the catalogues
    # What a request creates afterwards is collected as before (here: a reference cycle).
    first, second = _Node(), _Node()
    first.other, second.other = second, first
    gone = weakref.ref(first)
    del first, second
    gc.collect()
    assert gone() is None
    assert gc.get_freeze_count() == frozen


class _Node:
    other: _Node


def test_the_warm_up_renders_with_the_shared_stylesheet(monkeypatch):
    rendered = []
    real = pdf.html_to_pdf

    def counting(html, **kwargs):
        output = real(html, **kwargs)
        rendered.append((html, output))
        return output

    monkeypatch.setattr(pdf, "html_to_pdf", counting)
    pdf.warm_up()
    [(html, output)] = rendered
    assert "css/pdf.css" in html and output.pdf.startswith(b"%PDF") and output.refused == ()


def test_a_failed_warm_up_is_logged_not_raised(monkeypatch, caplog):
    def broken(html, **kwargs):
        raise pdf.PdfError("no fonts")

    monkeypatch.setattr(pdf, "html_to_pdf", broken)
    with caplog.at_level(logging.WARNING, logger="amg_portal.pdf"):
        pdf.warm_up()
    assert "warm-up failed" in caplog.text
