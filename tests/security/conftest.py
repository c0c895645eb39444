"""One world per security test module, kept in a transaction that is rolled back at the end.

Every request of the matrix runs in its own savepoint that is rolled back too, so no request can
change what the next one sees, and a digest of all tables taken inside the savepoint shows
whether the request wrote anything.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from amg_portal import pdf
from tests.security import snapshot
from tests.security.world import ANON, CODE, COORDINATOR, DEAN, ROLES, World, build_world


@dataclass
class Outcome:
    response: HttpResponse
    changed: list[str]
    inspected: object = None  # what ``inspect`` saw before the rollback


@dataclass
class Context:
    world: World
    clients: dict[str, Client]
    baseline: dict[str, str]
    counts: dict | None = None

    def call(
        self,
        role: str,
        method: str,
        url: str,
        data: dict | None = None,
        inspect: Callable[[HttpResponse], object] | None = None,
    ) -> Outcome:
        """One request as ``role``, rolled back afterwards; lists the tables it changed.

        ``inspect`` sees the response before the rollback (to look at what was stored).
        """
        client = self.clients[role]
        cookies = copy.deepcopy(client.cookies)
        try:
            return self._call(client, method, url, data, inspect)
        finally:
            client.cookies = cookies  # a logout or a new session id must not outlive the request

    def _call(self, client, method, url, data, inspect) -> Outcome:
        with transaction.atomic():
            # The transaction's write counters survive a rolled-back savepoint, so the counts
            # after the previous request are the counts before this one.
            before = self.counts if self.counts is not None else snapshot.write_counts()
            if method == "GET":
                response = client.get(url)
            elif method == "POST":
                response = client.post(url, data or {})
            else:
                response = client.generic(method, url)
            self.counts = snapshot.write_counts()
            changed = snapshot.changed_tables(before, self.counts)
            inspected = inspect(response) if inspect else None
            transaction.set_rollback(True)
        return Outcome(response, changed, inspected)


def _clients(world: World) -> dict[str, Client]:
    clients = {}
    for role in [*ROLES, DEAN]:
        client = Client()
        if role == CODE:
            side = world.a
            client.get(reverse("kortlaegning:answer_code", args=[side.round.pk, side.code]))
        elif role not in (ANON,):
            client.force_login(world.users[role])
        clients[role] = client
    return clients


def _fake_pdf(html: str, *, timeout: float | None = None) -> pdf.PdfOutput:
    # The matrix is about who gets a PDF, not about WeasyPrint (tested in test_pdf_fetcher).
    return pdf.PdfOutput(pdf=b"%PDF-1.7 matrix", refused=())


@pytest.fixture(scope="module")
def security_world(django_db_setup, django_db_blocker):
    """The world of tests/security/world.py and a client per role, for the whole module."""
    patcher = pytest.MonkeyPatch()
    patcher.setattr(pdf, "html_to_pdf", _fake_pdf)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world()
            clients = _clients(world)
            yield Context(world=world, clients=clients, baseline=snapshot.digest())
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            patcher.undo()


__all__ = ["COORDINATOR", "Context", "Outcome"]
