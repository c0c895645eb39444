"""The client address behind 0, 1 and 2 trusted proxies, forged both ways, through the login lock.

Each trusted proxy appends the address of whoever connected to it to X-Forwarded-For; whatever is
left of those entries came from the client and may be forged. Two ways to abuse a wrong choice:

* escape the lock: a new forged address on every attempt must not give a new lock bucket;
* lock someone else out: forging the victim's address must lock the forger's own address only,
  and honest users behind the proxy must not all share the proxy's address.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from amg_portal.clientip import client_ip
from amg_portal.organisation import audit
from amg_portal.ratelimit import rate_limited
from tests.conftest import PASSWORD

ATTACKER, VICTIM, OTHER = "198.51.100.66", "203.0.113.7", "192.0.2.44"
PROXY_1, PROXY_2 = "10.0.0.2", "10.0.0.3"  # the outer and the inner proxy


def through_proxies(proxies: int, client: str, forged: str | None = None) -> dict:
    """The request META that reaches the app from ``client`` through ``proxies`` proxies.

    ``forged`` is an X-Forwarded-For header the client sent itself.
    """
    if proxies == 0:
        meta = {"REMOTE_ADDR": client}
        if forged:
            meta["HTTP_X_FORWARDED_FOR"] = forged
        return meta
    chain = [forged] if forged else []
    hops = [client, PROXY_1, PROXY_2][: proxies + 1]
    # Each proxy appends its peer; the app's peer (REMOTE_ADDR) is the innermost proxy.
    chain += hops[:-1]
    return {"REMOTE_ADDR": hops[-1], "HTTP_X_FORWARDED_FOR": ", ".join(chain)}


@pytest.mark.parametrize("proxies", [0, 1, 2])
@pytest.mark.parametrize("forged", [None, VICTIM, f"{VICTIM}, {OTHER}", "not-an-address"])
def test_it_reads_the_address_the_trusted_proxy_appended(settings, proxies, forged):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", **through_proxies(proxies, ATTACKER, forged))
    assert client_ip(request) == ATTACKER
    assert audit.client_ip(request) == ATTACKER


def test_it_falls_back_to_the_connection_when_the_header_is_missing(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
    assert client_ip(None) is None


def test_it_takes_the_outermost_entry_when_fewer_than_the_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY_2, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert client_ip(request) == ATTACKER


def test_axes_uses_the_same_function(settings, rf):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", **through_proxies(1, ATTACKER, forged=VICTIM))
    assert get_client_ip_address(request) == ATTACKER


def attempt(client, proxies: int, address: str, forged: str | None, typed: str = "wrong"):
    data = {"username": "leader_a", "password": typed}
    return client.post(reverse("login"), data, **through_proxies(proxies, address, forged))


@pytest.mark.parametrize("proxies", [0, 1, 2])
def test_a_new_forged_address_per_attempt_does_not_escape_the_lock(
    client, leader_a, settings, proxies
):
    settings.TRUSTED_PROXY_COUNT = proxies
    statuses = [
        attempt(client, proxies, ATTACKER, forged=f"203.0.113.{n}").status_code for n in range(8)
    ]
    assert statuses[:4] == [200] * 4
    assert statuses[4:] == [429] * 4, statuses
    # Locked even with the right password, from the attacker's real address.
    assert attempt(client, proxies, ATTACKER, "203.0.113.99", PASSWORD).status_code == 429


@pytest.mark.parametrize("proxies", [0, 1, 2])
def test_forging_the_victims_address_locks_only_the_forger(client, leader_a, settings, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    for _ in range(6):
        attempt(client, proxies, ATTACKER, forged=VICTIM)
    # The user, from their own address behind the same proxies, still logs in.
    response = attempt(client, proxies, VICTIM, forged=None, typed=PASSWORD)
    assert response.status_code == 302


@pytest.mark.parametrize("proxies", [1, 2])
def test_honest_users_behind_the_proxy_are_told_apart(client, leader_a, settings, proxies):
    """Five failures by one person behind the proxy do not lock out everyone behind it."""
    settings.TRUSTED_PROXY_COUNT = proxies
    for _ in range(5):
        attempt(client, proxies, OTHER, forged=None)
    assert attempt(client, proxies, OTHER, None, PASSWORD).status_code == 429
    assert attempt(client, proxies, VICTIM, None, PASSWORD).status_code == 302


@pytest.mark.parametrize("proxies", [0, 1, 2])
def test_the_answer_pages_rate_limit_counts_the_real_client(db, settings, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies

    @rate_limited(f"test-{proxies}", limit=2, window=60)
    def view(request):
        return HttpResponse("ok")

    factory = RequestFactory()
    statuses = [
        view(factory.get("/", **through_proxies(proxies, ATTACKER, f"192.0.2.{n}"))).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 429, 429]
    # Someone else behind the same proxies is not limited by the attacker's requests.
    assert view(factory.get("/", **through_proxies(proxies, VICTIM, ATTACKER))).status_code == 200
