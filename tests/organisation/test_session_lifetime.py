"""The absolute session lifetime holds whatever the activity; the idle limit stays."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from amg_portal.organisation import middleware


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves on; the session's login time and idle checks read it."""
    now = {"t": int(time.time())}
    monkeypatch.setattr(middleware, "_now", lambda: now["t"])
    return now


def test_activity_does_not_extend_the_session_past_its_age(login, leader_a, settings, clock):
    settings.SESSION_COOKIE_AGE = 130
    client = login(leader_a)
    start = clock["t"]
    for at in (61, 122):
        clock["t"] = start + at
        assert client.get(reverse("home")).status_code == 200, at
    clock["t"] = start + 136
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # The session is gone for good, not only for this request.
    assert client.get(reverse("home")).status_code == 302


def test_the_session_row_and_cookie_end_at_the_login_plus_its_age(login, leader_a, settings):
    settings.SESSION_COOKIE_AGE = 130
    client = login(leader_a)
    logged_in_at = client.session[middleware.LOGIN_KEY]
    client.get(reverse("home"))
    expiry = client.session.get_expiry_date().timestamp()
    assert expiry <= logged_in_at + 130 + 1


def test_the_login_page_sets_the_login_time(client, leader_a, clock):
    from tests.conftest import PASSWORD

    client.post(reverse("login"), {"username": "leader_a", "password": PASSWORD})
    assert client.session[middleware.LOGIN_KEY] == clock["t"]


def test_the_idle_limit_still_ends_a_quiet_session(login, leader_a, settings, clock):
    settings.SESSION_COOKIE_AGE = 8 * 3600
    settings.SESSION_IDLE_TIMEOUT = 60
    client = login(leader_a)
    start = clock["t"]
    clock["t"] = start + 59
    assert client.get(reverse("home")).status_code == 200
    clock["t"] = start + 59 + 61
    assert client.get(reverse("home")).status_code == 302


def test_a_session_from_before_the_rule_starts_its_clock(login, leader_a, settings, clock):
    client = login(leader_a)
    session = client.session
    del session[middleware.LOGIN_KEY]
    session.save()
    assert client.get(reverse("home")).status_code == 200
    assert client.session[middleware.LOGIN_KEY] == clock["t"]
