"""/healthz/ and /readyz/: what a load balancer's probe sees."""

from __future__ import annotations

import logging

import pytest
from django.db import OperationalError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

PROBE = {"HTTP_HOST": "10.0.0.7:8000"}  # the app server's internal address, not ALLOWED_HOSTS


def test_healthz_answers_without_the_database(client):
    # No django_db mark: any database access here would raise.
    response = client.get("/healthz/", **PROBE)
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_answers_when_the_database_is_migrated(client):
    response = client.get("/readyz/", **PROBE)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.content == b"ready\n"


@pytest.mark.django_db
def test_readyz_is_503_while_a_migration_is_not_applied(client, caplog):
    app, name = max(MigrationLoader(connection).graph.leaf_nodes())
    MigrationRecorder(connection).record_unapplied(app, name)  # rolled back after the test
    with caplog.at_level(logging.ERROR, logger="amg_portal.views"):
        response = client.get("/readyz/", **PROBE)
    assert response.status_code == 503
    assert response.content == b"unavailable\n"
    assert "unapplied migrations" in caplog.text


@pytest.mark.django_db
def test_readyz_does_not_leak_the_database_error(client, caplog, monkeypatch):
    def refuse():
        raise OperationalError('FATAL: password authentication failed for user "amg_secret"')

    monkeypatch.setattr(connection, "ensure_connection", refuse)
    with caplog.at_level(logging.ERROR, logger="amg_portal.views"):
        response = client.get("/readyz/", **PROBE)
    assert response.status_code == 503
    assert b"amg_secret" not in response.content
    assert "amg_secret" in caplog.text  # the operator sees why


def test_probes_skip_the_https_redirect_and_the_host_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["amg.example.org"]
    assert client.get("/healthz/", **PROBE).status_code == 200
    assert client.get("/", **PROBE).status_code == 400  # everything else still checks the host


def test_probes_answer_only_get_and_head(client):
    assert client.head("/healthz/").status_code == 200
    assert client.post("/healthz/").status_code == 405
