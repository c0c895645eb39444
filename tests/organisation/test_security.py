"""Login hardening, sessions, headers and the audit log."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from amg_portal.organisation.models import AuditEntry
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def fail_login(client, username, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": "wrong"}, REMOTE_ADDR=ip
    )


def test_it_locks_a_username_from_one_address_after_five_failures(client, leader_a):
    for _ in range(4):
        assert fail_login(client, "leader_a").status_code == 200
    response = fail_login(client, "leader_a")
    assert response.status_code == 429
    assert "For mange mislykkede login" in response.content.decode()
    # Even the right password is refused from that address while locked …
    locked = client.post(
        reverse("login"), {"username": "leader_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert locked.status_code == 429
    # … but the same user logs in from elsewhere: nobody can lock a named user out from anywhere.
    response = client.post(
        reverse("login"), {"username": "leader_a", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 302


def test_a_proxy_count_makes_the_forwarded_address_count(client, leader_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "leader_a", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.7",  # what one nginx appended
        )
    assert AuditEntry.objects.filter(kind="login_failed", ip_address="203.0.113.7").count() == 5


def test_the_session_ends_after_the_idle_timeout(login, leader_a, settings):
    settings.SESSION_IDLE_TIMEOUT = 60
    client = login(leader_a)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["amg_last_seen"] -= 61
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_deactivated_user_is_logged_out_at_once(login, leader_a):
    client = login(leader_a)
    assert client.get(reverse("home")).status_code == 200
    leader_a.is_active = False
    leader_a.save()
    assert client.get(reverse("home")).status_code == 302


def test_pages_are_not_cached_and_carry_a_strict_csp(login, leader_a):
    response = login(leader_a).get(reverse("home"))
    assert "no-store" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]:
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_an_unknown_host_gets_400(client, db):
    response = client.get(reverse("login"), HTTP_HOST="evil.example")
    assert response.status_code == 400


def test_passwords_are_hashed_with_argon2_outside_tests():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from amg_portal import settings; print(settings.PASSWORD_HASHERS[0])",
        ],
        cwd=ROOT,
        env={"DEBUG": "true", "AMG_TESTING": "false", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_the_deploy_check_passes_with_production_settings():
    key = "p" * 10 + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            "DEBUG": "false",
            "SECRET_KEY": key,
            "ALLOWED_HOSTS": "amg.example.org",
            "DATABASE_URL": "postgres://amg@db.example.org/amg_portal",
            "AMG_TESTING": "false",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 silenced" in result.stdout


def test_logins_failures_and_denials_are_audited(client, login, leader_a, leader_b, unit_a):
    fail_login(client, "leader_a\r\nfake-entry")
    client.post(reverse("login"), {"username": "leader_a", "password": PASSWORD})
    login(leader_b).get(reverse("organisation:unit_detail", args=[unit_a.pk]))
    kinds = list(AuditEntry.objects.order_by("id").values_list("kind", flat=True))
    assert kinds[:2] == ["login_failed", "login"]
    assert "access_denied" in kinds
    failed = AuditEntry.objects.get(kind="login_failed")
    assert "\r" not in failed.actor_name and "\n" not in failed.actor_name
    assert failed.actor_name == "leader_a\\r\\nfake-entry"
    denied = AuditEntry.objects.get(kind="access_denied")
    assert (denied.actor, denied.unit) == (leader_b, unit_a)


def test_the_audit_log_is_read_only_for_the_coordinator(login, coordinator, leader_a):
    client = login(coordinator)
    assert client.get(reverse("admin:organisation_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:organisation_auditentry_add")).status_code == 403
    entry = AuditEntry.objects.create(kind="login", actor_name="x")
    change = reverse("admin:organisation_auditentry_change", args=[entry.pk])
    client.post(change, {"kind": "logout", "actor_name": "y"})
    entry.refresh_from_db()
    assert entry.actor_name == "x"
    delete = reverse("admin:organisation_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert (
        login(leader_a).get(reverse("admin:organisation_auditentry_changelist")).status_code == 302
    )


def test_production_cookies_use_the_host_prefix():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from amg_portal import settings as s; print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME,"
            " s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)",
        ],
        cwd=ROOT,
        env={
            "DEBUG": "false",
            "SECRET_KEY": "q" * 10 + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN",
            "ALLOWED_HOSTS": "amg.example.org",
            "DATABASE_URL": "postgres://amg@db.example.org/amg_portal",
            "AMG_TESTING": "false",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "31536000",
        "True",
    ]
    assert settings.SESSION_COOKIE_NAME == "sessionid"  # plain names in tests and development
