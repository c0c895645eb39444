"""OpenID Connect login against a real provider (django-oauth-toolkit in a second process)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from amg_portal.organisation.identity import LOGIN_METHOD_KEY
from amg_portal.organisation.models import AuditEntry, User
from tests.conftest import make_user
from tests.identity_providers.fixtures import provider_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(db):
    # The provider says "Known.Person@Example.org": matching ignores case.
    user = make_user("known_person")
    user.email = "known.person@example.org"
    user.save(update_fields=["email"])
    return user


def start_login(client, query: str = "") -> str:
    response = client.get(reverse("oidc_login") + query)
    assert response.status_code == 302
    return response["Location"]


def finish_login(client, username: str, query: str = ""):
    back = provider_login(start_login(client, query), username)
    parts = urlsplit(back)
    assert parts.path == reverse("oidc_callback")
    return client.get(f"{parts.path}?{parts.query}"), f"{parts.path}?{parts.query}"


def test_it_logs_a_known_person_in(client, oidc_settings, known):
    response, _ = finish_login(client, "known")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert int(client.session[SESSION_KEY]) == known.pk
    assert client.session[LOGIN_METHOD_KEY] == "oidc"
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.LOGIN, actor=known).exists()


def test_it_returns_to_the_page_asked_for(client, oidc_settings, known):
    response, _ = finish_login(client, "known", "?next=/enheder/")
    assert response["Location"] == "/enheder/"


def test_it_does_not_return_to_another_site(client, oidc_settings, known):
    response, _ = finish_login(client, "known", "?next=https://evil.example/")
    assert response["Location"] == reverse("home")


def test_it_shows_a_clear_page_to_an_unknown_person_and_creates_nobody(
    client, oidc_settings, known, caplog
):
    users_before = User.objects.count()
    with caplog.at_level(logging.WARNING, logger="amg_portal.identity"):
        response, _ = finish_login(client, "stranger")
    assert response.status_code == 403
    assert "Vi kender dig ikke endnu" in response.content.decode()
    assert "stranger@example.org" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert User.objects.count() == users_before
    assert "no user matches" in caplog.text


def test_it_creates_the_account_when_the_setting_says_so(client, oidc_settings, known):
    oidc_settings.SSO_CREATE_USERS = True
    response, _ = finish_login(client, "stranger")
    assert response.status_code == 302
    user = User.objects.get(email="stranger@example.org")
    assert not user.has_usable_password()
    assert int(client.session[SESSION_KEY]) == user.pk


def test_it_refuses_a_deactivated_user(client, oidc_settings, known):
    known.is_active = False
    known.save()
    response, _ = finish_login(client, "known")
    assert response.status_code == 403
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("mode", "logged"),
    [
        ("expired", "expired"),
        ("audience", "another audience"),
        ("badsig", "Signature verification failed"),
        ("unsigned", "signed with 'none'"),
    ],
)
def test_it_refuses_a_bad_id_token(
    client, oidc_settings, oidc_provider, known, caplog, mode, logged
):
    oidc_settings.OIDC_OP_TOKEN_ENDPOINT = f"{oidc_provider.url}/mangle/{mode}/token/"
    audit_before = AuditEntry.objects.count()
    with caplog.at_level(logging.WARNING, logger="amg_portal.identity"):
        response, _ = finish_login(client, "known")
    assert response.status_code == 400
    assert "Log-ind kunne ikke gennemføres" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert AuditEntry.objects.count() == audit_before
    assert logged in caplog.text


def test_it_refuses_a_replayed_answer(client, oidc_settings, known, caplog):
    response, callback = finish_login(client, "known")
    assert response.status_code == 302
    client.post(reverse("logout"))
    with caplog.at_level(logging.WARNING, logger="amg_portal.identity"):
        replay = client.get(callback)
    assert replay.status_code == 400
    assert SESSION_KEY not in client.session
    assert "already used" in caplog.text


def test_it_refuses_an_answer_for_another_browser(client, oidc_settings, known, caplog):
    # The redirect back is opened in a session that never started this login (login CSRF).
    back = provider_login(start_login(client), "known")
    client.cookies.clear()
    with caplog.at_level(logging.WARNING, logger="amg_portal.identity"):
        response = client.get(back.replace("http://testserver", ""))
    assert response.status_code == 400
    assert SESSION_KEY not in client.session


def test_logout_ends_the_app_session(client, oidc_settings, known):
    finish_login(client, "known")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert SESSION_KEY not in client.session
    assert client.get(reverse("profile")).status_code == 302


def test_the_pages_do_not_exist_when_oidc_is_off(client, settings):
    settings.OIDC_ENABLED = False
    assert client.get(reverse("oidc_login")).status_code == 404
    assert client.get(reverse("oidc_callback") + "?code=x&state=y").status_code == 404
    assert "Log ind med" not in client.get(reverse("login")).content.decode()


def test_the_login_page_has_the_providers_button(client, oidc_settings):
    page = client.get(reverse("login")).content.decode()
    assert "Log ind med Test-IdP" in page
    assert reverse("oidc_login") in page


def test_the_stable_id_finds_a_person_whose_e_mail_changed(client, oidc_settings):
    # The provider says new-name@example.org with employee_id P-200; the HR import knew P-200.
    user = make_user("renamed_person", person_id="P-200")
    response, _ = finish_login(client, "renamed")
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == user.pk


def test_without_a_stable_id_claim_only_the_e_mail_counts(client, oidc_settings):
    oidc_settings.OIDC_ID_CLAIM = ""
    make_user("renamed_person", person_id="P-200")
    response, _ = finish_login(client, "renamed")
    assert response.status_code == 403
    assert SESSION_KEY not in client.session


def test_the_stable_id_wins_over_the_e_mail(client, oidc_settings, known):
    # Another account holds the e-mail; the stable id names the right one.
    right = make_user("right_person", person_id="P-100")
    response, _ = finish_login(client, "known")
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == right.pk


def test_oidc_discovery_prints_the_settings(oidc_provider):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("oidc_discovery", oidc_provider.issuer, stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    assert lines["OIDC_ISSUER"] == oidc_provider.issuer
    assert lines["OIDC_TOKEN_ENDPOINT"] == oidc_provider.issuer + "/token/"
    assert lines["OIDC_JWKS_ENDPOINT"] == oidc_provider.issuer + "/.well-known/jwks.json"
    assert lines["OIDC_SIGN_ALGORITHM"] == "RS256"


def test_oidc_discovery_explains_a_wrong_address(oidc_provider):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="Could not read"):
        call_command("oidc_discovery", oidc_provider.url + "/nothing-here")
