"""The session engine (amg_portal/sessions.py): Django's database sessions, read in one plain
statement; what it reads is exactly what Django's own engine reads."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.backends import db as django_db_sessions
from django.contrib.sessions.models import Session
from django.utils import timezone

from amg_portal.sessions import SessionStore


def test_the_project_uses_it():
    assert settings.SESSION_ENGINE == "amg_portal.sessions"


def test_it_reads_what_django_wrote_and_nothing_expired(db, django_assert_num_queries):
    written = SessionStore()
    written["kortlaegning"] = {"7": {"answers": {"12": "yes"}, "comments": {"I": "Godt “nu”"}}}
    written.save()
    with django_assert_num_queries(1):
        read = SessionStore(written.session_key)
        assert read["kortlaegning"] == {
            "7": {"answers": {"12": "yes"}, "comments": {"I": "Godt “nu”"}}
        }
    assert dict(read.items()) == dict(django_db_sessions.SessionStore(written.session_key).items())
    Session.objects.filter(pk=written.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = SessionStore(written.session_key)
    assert dict(expired.items()) == {}
    assert expired.session_key is None  # a new session, never the expired one
    unknown = SessionStore("x" * 32)
    assert dict(unknown.items()) == {} and unknown.session_key is None
