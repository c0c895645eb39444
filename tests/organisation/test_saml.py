"""SAML 2.0 login against pysaml2 acting as the identity provider (signatures by xmlsec1)."""

from __future__ import annotations

import base64
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from amg_portal.organisation.identity import LOGIN_METHOD_KEY
from amg_portal.organisation.models import AuditEntry, User
from tests.conftest import make_user
from tests.identity_providers.fixtures import SAML_IDP_URL
from tests.identity_providers.saml_idp import answer

pytestmark = pytest.mark.django_db

KNOWN = {"username": "known", "email": "Known.Person@Example.org", "stable_id": "kp@sdu.dk"}
STRANGER = {"username": "stranger", "email": "stranger@example.org", "stable_id": "st@sdu.dk"}


@pytest.fixture
def known(db):
    user = make_user("known_person")
    user.email = "known.person@example.org"
    user.save(update_fields=["email"])
    return user


def start(client, next_url: str = "") -> dict:
    response = client.get(reverse("saml2_login") + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(SAML_IDP_URL + "/sso/redirect?")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def post_answer(client, acs: str, response: str, relay: str = ""):
    return client.post(urlsplit(acs).path, {"SAMLResponse": response, "RelayState": relay})


def test_metadata_is_at_a_stable_url(client, saml_settings):
    response = client.get("/saml2/metadata/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'entityID="http://testserver/saml2/metadata/"' in body
    assert "http://testserver/saml2/acs/" in body
    assert 'WantAssertionsSigned="true"' in body


def test_it_logs_a_known_person_in(client, saml_idp, known):
    request = start(client, next_url="/enheder/")
    acs, response = answer(saml_idp(), request["SAMLRequest"], KNOWN)
    result = post_answer(client, acs, response, request.get("RelayState", ""))
    assert result.status_code == 302
    assert result["Location"] == "/enheder/"
    assert int(client.session[SESSION_KEY]) == known.pk
    assert client.session[LOGIN_METHOD_KEY] == "saml"
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.LOGIN, actor=known).exists()


def test_an_unknown_person_gets_a_clear_page_and_no_account(client, saml_idp, known, caplog):
    request = start(client)
    acs, response = answer(saml_idp(), request["SAMLRequest"], STRANGER)
    with caplog.at_level(logging.WARNING, logger="amg_portal.identity"):
        result = post_answer(client, acs, response)
    assert result.status_code == 403
    assert "Vi kender dig ikke endnu" in result.content.decode()
    assert not User.objects.filter(email="stranger@example.org").exists()
    assert SESSION_KEY not in client.session
    assert "no user matches" in caplog.text


def _refused(client, result, caplog, audit_before: int) -> None:
    assert result.status_code == 400
    assert "Log-ind kunne ikke gennemføres" in result.content.decode()
    assert SESSION_KEY not in client.session
    assert AuditEntry.objects.count() == audit_before
    assert "saml login refused" in caplog.text


def test_a_tampered_assertion_is_refused(client, saml_idp, known, caplog):
    # Someone changes the e-mail in a signed assertion to become another user.
    other = make_user("other_person")
    request = start(client)
    acs, response = answer(saml_idp(), request["SAMLRequest"], STRANGER)
    xml = base64.b64decode(response).decode().replace("stranger@example.org", other.email)
    audit_before = AuditEntry.objects.count()
    with caplog.at_level(logging.WARNING, logger="amg_portal.identity"):
        result = post_answer(client, acs, base64.b64encode(xml.encode()).decode())
    _refused(client, result, caplog, audit_before)


def test_an_assertion_signed_by_another_key_is_refused(client, saml_idp, known, caplog):
    request = start(client)
    acs, response = answer(saml_idp("stranger"), request["SAMLRequest"], KNOWN)
    audit_before = AuditEntry.objects.count()
    with caplog.at_level(logging.WARNING, logger="amg_portal.identity"):
        result = post_answer(client, acs, response)
    _refused(client, result, caplog, audit_before)


def test_an_unsigned_assertion_is_refused(client, saml_idp, known, caplog):
    request = start(client)
    acs, response = answer(saml_idp(), request["SAMLRequest"], KNOWN, sign=False)
    audit_before = AuditEntry.objects.count()
    with caplog.at_level(logging.WARNING, logger="amg_portal.identity"):
        result = post_answer(client, acs, response)
    _refused(client, result, caplog, audit_before)


def test_a_replayed_response_is_refused(client, saml_idp, known, caplog):
    request = start(client)
    acs, response = answer(saml_idp(), request["SAMLRequest"], KNOWN)
    assert post_answer(client, acs, response).status_code == 302
    client.post(reverse("logout"))
    audit_before = AuditEntry.objects.count()
    with caplog.at_level(logging.WARNING, logger="amg_portal.identity"):
        result = post_answer(client, acs, response)
    _refused(client, result, caplog, audit_before)


def test_garbage_is_refused(client, saml_settings, caplog):
    with caplog.at_level(logging.WARNING, logger="amg_portal.identity"):
        result = client.post("/saml2/acs/", {"SAMLResponse": "bm90IFhNTA=="})
    assert result.status_code == 400
    assert SESSION_KEY not in client.session


def test_the_pages_do_not_exist_when_saml_is_off(client, settings):
    settings.SAML_ENABLED = False
    assert client.get("/saml2/metadata/").status_code == 404
    assert client.get(reverse("saml2_login")).status_code == 404
    assert client.post("/saml2/acs/", {"SAMLResponse": "x"}).status_code == 404


def test_the_identity_providers_post_needs_no_csrf_token(saml_idp, known):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    request = start(client)
    acs, response = answer(saml_idp(), request["SAMLRequest"], KNOWN)
    assert post_answer(client, acs, response).status_code == 302


def test_eduPersonPrincipalName_matches_the_hr_person_id(client, saml_idp):
    user = make_user("renamed_person", person_id="rp@sdu.dk")
    person = {"username": "renamed", "email": "new-name@example.org", "stable_id": "rp@sdu.dk"}
    request = start(client)
    acs, response = answer(saml_idp(), request["SAMLRequest"], person)
    assert post_answer(client, acs, response).status_code == 302
    assert int(client.session[SESSION_KEY]) == user.pk
