"""A small, reproducible HTTP load generator: threads, ``http.client`` and a cookie jar each.

Requests go to the gunicorn server as a browser behind the production proxy would send them:
``X-Forwarded-Proto: https`` (so the production settings neither redirect nor refuse the secure
cookies) and, on POST, an ``Origin`` header for the CSRF check.
"""

from __future__ import annotations

import http.client
import re
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

HOST = "localhost"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str
    seconds: float
    length: int


@dataclass
class Browser:
    """One visitor: a connection to the server and the cookies it was given."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    _conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: dict | None = None) -> Reply:
        headers = {"Host": f"{HOST}:{self.port}", "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{HOST}:{self.port}"
            headers["Referer"] = f"https://{HOST}:{self.port}{path}"
        for attempt in range(2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
            start = time.perf_counter()
            try:
                self._conn.request(method, path, body=body, headers=headers)
                response = self._conn.getresponse()
                data = response.read()
            except (ConnectionError, http.client.HTTPException):
                self._conn.close()
                self._conn = None
                if attempt:
                    raise
                continue
            seconds = time.perf_counter() - start
            break
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self._conn.close()
            self._conn = None
        return Reply(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            data.decode("utf-8", "replace"),
            seconds,
            len(data),
        )


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def radio_answers(html: str, pick: Callable[[list[str]], str]) -> dict[str, str]:
    """One value for every radio group of the form (the answer step's questions)."""
    groups: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]+>", html):
        if 'type="radio"' not in tag:
            continue
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and value:
            groups.setdefault(name.group(1), []).append(value.group(1))
    return {name: pick(values) for name, values in groups.items()}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    return statistics.median(values) * 1000, percentile(values, 0.95) * 1000


def run_concurrently(jobs: list[Callable[[], float]], workers: int) -> tuple[float, list[float]]:
    """Run the jobs on ``workers`` threads; (wall seconds, each job's own seconds)."""
    lock = threading.Lock()
    pending = list(reversed(jobs))
    times: list[float] = []
    failures: list[BaseException] = []

    def worker() -> None:
        while True:
            with lock:
                if not pending:
                    return
                job = pending.pop()
            try:
                took = job()
            except BaseException as error:  # reported after the run
                with lock:
                    failures.append(error)
                return
            with lock:
                times.append(took)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    if failures:
        raise failures[0]
    return wall, times
