"""Single sign-on in Chromium: the full redirect dance with a real OpenID Connect provider
(django-oauth-toolkit) and a real SAML 2.0 identity provider (pysaml2), each in its own process.
Screenshots of the login page in Danish and English go to test-results/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from amg_portal.organisation.models import Role, User
from tests.conftest import give_role, make_user
from tests.identity_providers.fixtures import PROVIDER_PASSWORD


@pytest.fixture
def known(transactional_db, faculty):
    user = make_user("known_person")
    user.email = "known.person@example.org"
    user.first_name = "Karen"
    user.save(update_fields=["email", "first_name"])
    return give_role(user, faculty, Role.LEADER)


def test_a_known_person_logs_in_with_openid_connect_and_out_again(
    page: Page, live_server, oidc_provider, oidc_settings, known, shots
):
    oidc_provider.allow_redirect(live_server.url + "/konto/oidc/retur/")
    oidc_settings.OTP_REQUIRED_FOR_LEADERS = True  # the provider's MFA counts: not asked again
    page.goto(f"{live_server.url}/")
    page.screenshot(path=shots / "login-sso-da.png", full_page=True)
    page.get_by_role("link", name="Log ind med Test-IdP").click()

    assert page.url.startswith(oidc_provider.url + "/login/")
    page.get_by_label("Username").fill("known")
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Velkommen, Karen")).to_be_visible()
    assert page.url == f"{live_server.url}/"

    page.get_by_role("button", name="Log ud").click()
    expect(page.get_by_role("heading", name="Log ind", exact=True)).to_be_visible()
    page.goto(f"{live_server.url}/konto/profil/")
    assert page.url.startswith(f"{live_server.url}/konto/log-ind/")


def test_an_unknown_person_sees_why_and_gets_no_account(
    page: Page, live_server, oidc_provider, oidc_settings, known, shots
):
    oidc_provider.allow_redirect(live_server.url + "/konto/oidc/retur/")
    page.goto(f"{live_server.url}/konto/log-ind/")
    page.get_by_role("link", name="Log ind med Test-IdP").click()
    page.get_by_label("Username").fill("stranger")
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Vi kender dig ikke endnu")).to_be_visible()
    expect(page.get_by_text("stranger@example.org")).to_be_visible()
    page.screenshot(path=shots / "identity-unknown-da.png", full_page=True)
    assert not User.objects.filter(email="stranger@example.org").exists()


def test_a_known_person_logs_in_with_saml(page: Page, live_server, saml_idp_process, known):
    page.goto(f"{live_server.url}/enheder/")
    page.get_by_role("link", name="Log ind med WAYF-test").click()
    assert page.url.startswith(saml_idp_process + "/sso/redirect?SAMLRequest=")
    page.get_by_label("Username").fill("known")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Continue to the service").click()
    expect(page.get_by_role("heading", name="Enheder")).to_be_visible()
    assert page.url == f"{live_server.url}/enheder/"


def test_the_login_page_in_english(page: Page, live_server, oidc_settings, saml_idp_process, shots):
    page.goto(f"{live_server.url}/konto/log-ind/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("link", name="Log in with Test-IdP")).to_be_visible()
    expect(page.get_by_role("link", name="Log in with WAYF-test")).to_be_visible()
    expect(page.get_by_text("Or log in with a password")).to_be_visible()
    page.screenshot(path=shots / "login-sso-en.png", full_page=True)
