"""Under load nothing is lost: 200 respondents answer at once, each with their own code, and the
database restarts in the middle. Exactly 200 responses are stored and exactly 200 codes used; the
requests caught by the restart get a clear "try again", and their retry stores exactly one.

Needs the throwaway PostgreSQL of scripts/with-postgres.sh (or any local cluster this user may
restart with pg_ctl); elsewhere the restart test is skipped.
"""

from __future__ import annotations

import glob
import os
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kortlaegning import services
from kortlaegning.models import AnswerCode, Response, RoundQuestion
from tests.kortlaegning.helpers import ensure_catalogue

RESPONDENTS = 200
WORKERS = 24  # concurrent respondents (each thread holds one database connection)
TRY_AGAIN = ("try again", "prøv igen", "Try again", "Prøv igen")


def _pg_ctl_restart() -> list[str] | None:
    """The command that restarts this test's PostgreSQL, or None where we cannot."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SHOW data_directory")
        data = cursor.fetchone()[0]
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if os.environ.get("PG_BIN"):
        binaries.append(os.path.join(os.environ["PG_BIN"], "pg_ctl"))
    if not binaries or not os.path.isdir(data):
        return None
    # With its own log file: otherwise the restarted server would hold our output pipe open.
    log = os.path.join(os.path.dirname(data), "restart.log")
    command = [binaries[-1], "-D", data, "-l", log, "-m", "fast", "-w", "-t", "60", "restart"]
    if os.geteuid() == 0:  # the cluster belongs to its unprivileged owner
        owner = os.stat(data).st_uid
        command = ["runuser", "-u", _user_name(owner), "--", *command]
    return command


def _user_name(uid: int) -> str:
    import pwd

    return pwd.getpwuid(uid).pw_name


class Respondent:
    """One person with one code, retrying whatever the restart interrupted."""

    def __init__(self, round, code: str, answers_by_level: list[dict], n: int):
        self.client = Client(REMOTE_ADDR=f"10.{n // 250}.{n % 250}.1")
        self.client.raise_request_exception = False
        self.round, self.code, self.answers_by_level = round, code, answers_by_level
        self.retries = 0
        self.try_again_pages = 0
        self.failures: list[tuple[str, int, bool]] = []  # (method, status, answers kept)

    def _request(self, method: str, url: str, data: dict | None = None):
        for _attempt in range(60):
            try:
                response = getattr(self.client, method)(url, data or {})
            finally:
                # The test client keeps a thread's connection across requests; after a restart
                # it is dead, and a real server would open a new one for the next request.
                connection.close_if_unusable_or_obsolete()
            if response.status_code < 500:
                return response
            self.retries += 1
            text = response.content.decode()
            if any(phrase in text for phrase in TRY_AGAIN):
                self.try_again_pages += 1
            kept = bool(data) and text.count("checked") == len(data)
            self.failures.append((method, response.status_code, kept))
            connection.close()
            time.sleep(0.2)
        raise AssertionError(f"still failing after 60 tries: {url}")

    def answer(self) -> str:
        start = self._request(
            "get", reverse("kortlaegning:answer_code", args=[self.round.pk, self.code])
        )
        if start.status_code != 302 or "trin" not in start["Location"]:
            return f"exchange {start.status_code}"
        location = start["Location"]
        for answers in self.answers_by_level:
            result = self._request("post", location, answers)
            if result.status_code != 302:
                return f"step {result.status_code}"
            location = result["Location"]
        return "done" if location.endswith("/tak/") else f"ended at {location}"


def _answers_by_level(round) -> list[dict]:
    levels = round.levels_for(Response.Group.EMPLOYEES)
    rows = RoundQuestion.objects.filter(round=round, question__level__in=levels)
    by_level: dict[str, dict] = {level: {} for level in levels}
    for qid, level in rows.values_list("question_id", "question__level"):
        by_level[level][f"q{qid}"] = "partly"
    return [by_level[level] for level in levels]


@pytest.mark.django_db(transaction=True)
def test_200_concurrent_respondents_through_a_database_restart(unit_a, leader_a, settings):
    restart = _pg_ctl_restart()
    if restart is None:
        pytest.skip("needs a local PostgreSQL this user may restart (scripts/with-postgres.sh)")
    ensure_catalogue()
    today = timezone.localdate()
    round = services.round_create(
        unit=unit_a, created_by=leader_a, title="Travl dag", opens_on=today, closes_on=today
    )
    round = services.round_open(round=round, opened_by=leader_a)
    codes = services.codes_generate(round=round, unit=unit_a, count=RESPONDENTS)
    answers = _answers_by_level(round)
    per_response = sum(len(level) for level in answers)
    people = [Respondent(round, code, answers, n) for n, code in enumerate(codes)]
    finished = []
    restarted = threading.Event()

    def run(person: Respondent) -> str:
        try:
            outcome = person.answer()
        finally:
            connection.close()
        finished.append(outcome)
        return outcome

    def restart_midway() -> None:
        while len(finished) < RESPONDENTS // 3:
            time.sleep(0.05)
        try:
            subprocess.run(restart, check=True, stdout=subprocess.DEVNULL, timeout=90)
        finally:
            restarted.set()

    restarter = threading.Thread(target=restart_midway, daemon=True)
    restarter.start()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(run, people))
    restarter.join(120)
    connection.close()  # the test's own connection died with the restart

    assert restarted.is_set()
    assert len(finished) == RESPONDENTS
    # Everyone ends on the thank-you page: a retry after a commit whose answer was lost finds
    # the session done (stored and done are one transaction), never "code already used".
    assert set(outcomes) == {"done"}, outcomes
    assert Response.objects.filter(round=round).count() == RESPONDENTS
    assert AnswerCode.objects.filter(round=round, used=True).count() == RESPONDENTS
    stored = Response.objects.filter(round=round).values_list("answers", flat=True)
    assert {len(answers) for answers in stored} == {per_response}
    interrupted = [p for p in people if p.retries]
    assert interrupted, "the restart caught no request in flight"
    # Everyone the restart interrupted was told to try again, in words (503, not an error page),
    # and a step that could not be saved showed its answers again.
    assert all(p.try_again_pages == p.retries for p in interrupted)
    failures = [failure for p in interrupted for failure in p.failures]
    assert {status for _method, status, _kept in failures} == {503}, failures
    assert all(kept for method, _status, kept in failures if method == "post"), failures
