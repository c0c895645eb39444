"""Password login beside the identity provider: who may use it, and when the app's second factor
is asked (after a password login only; the provider's own MFA counts)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from amg_portal.organisation.models import Role
from tests.conftest import PASSWORD, give_role, make_user
from tests.identity_providers.fixtures import provider_login
from tests.identity_providers.saml_idp import answer

pytestmark = pytest.mark.django_db


def password_login(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


@pytest.fixture
def known_leader(unit_a):
    user = make_user("known_person")
    user.email = "known.person@example.org"
    user.save(update_fields=["email"])
    return give_role(user, unit_a, Role.LEADER)


def test_everyone_may_use_a_password_by_default(client, leader_a):
    assert password_login(client, leader_a).status_code == 302
    assert int(client.session[SESSION_KEY]) == leader_a.pk


def test_password_login_can_be_limited_to_the_coordinator(client, settings, leader_a, coordinator):
    settings.PASSWORD_LOGIN_COORDINATORS_ONLY = True
    response = password_login(client, leader_a)
    assert response.status_code == 200
    assert "Log ind via din organisations log-ind-tjeneste" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert password_login(client, coordinator).status_code == 302
    assert int(client.session[SESSION_KEY]) == coordinator.pk


def test_a_password_login_keeps_the_second_factor(client, settings, leader_a):
    settings.OTP_REQUIRED_FOR_LEADERS = True
    password_login(client, leader_a)
    assert client.get(reverse("home"))["Location"].startswith(reverse("second_factor"))


def test_an_oidc_login_skips_the_apps_second_factor(client, oidc_settings, known_leader):
    oidc_settings.OTP_REQUIRED_FOR_LEADERS = True
    authorize = client.get(reverse("oidc_login"))["Location"]
    back = urlsplit(provider_login(authorize, "known"))
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_saml_login_skips_the_apps_second_factor(client, saml_settings, saml_idp, known_leader):
    saml_settings.OTP_REQUIRED_FOR_LEADERS = True
    location = client.get(reverse("saml2_login"))["Location"]
    request = parse_qs(urlsplit(location).query)["SAMLRequest"][0]
    person = {"username": "known", "email": "known.person@example.org", "stable_id": "x"}
    acs, response = answer(saml_idp(), request, person)
    assert client.post(urlsplit(acs).path, {"SAMLResponse": response}).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_password_login_after_a_provider_login_asks_again(client, oidc_settings, known_leader):
    oidc_settings.OTP_REQUIRED_FOR_LEADERS = True
    authorize = client.get(reverse("oidc_login"))["Location"]
    back = urlsplit(provider_login(authorize, "known"))
    client.get(f"{back.path}?{back.query}")
    client.post(reverse("logout"))
    password_login(client, known_leader)
    assert client.get(reverse("home"))["Location"].startswith(reverse("second_factor"))
