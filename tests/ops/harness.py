"""Run AMG-portal the way production does: its own PostgreSQL database, `collectstatic`, gunicorn
with DEBUG off, and a small HTTP client that talks to it as a browser behind the TLS proxy would.

Used by the production-server, scale-out and backup tests; every test here speaks HTTP only.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import environ
import psycopg

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "amg.test"
SECRET_KEY = secrets.token_urlsafe(64)


def _connect(url: str, dbname: str) -> psycopg.Connection:
    config = environ.Env.db_url_config(url)
    return psycopg.connect(
        dbname=dbname,
        host=config.get("HOST") or config.get("OPTIONS", {}).get("host") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        autocommit=True,
    )


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    assert url.startswith("postgres"), "run under scripts/with-postgres.sh (DATABASE_URL)"
    return url


def database_url(name: str) -> str:
    return urlsplit(server_url())._replace(path="/" + name).geturl()


def create_database(prefix: str = "amg_ops") -> tuple[str, str]:
    """A new, empty database on the test server: (name, DATABASE_URL)."""
    base = server_url()
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with _connect(base, "postgres") as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, database_url(name)


def drop_database(name: str) -> None:
    base = server_url()
    with _connect(base, "postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with _connect(url, urlsplit(url).path.lstrip("/")) as conn:
        return conn.execute(sql, params).fetchall()


def production_env(database: str, static_root: Path, **extra: str) -> dict[str, str]:
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PG_BIN"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "amg_portal.settings",
        "AMG_TESTING": "false",
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database,
        "STATIC_ROOT": str(static_root),
        "PYTHONDONTWRITEBYTECODE": "1",
        **extra,
    }


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}: {result.stderr[-2000:]}"
    return result.stdout


def seed(env: dict[str, str]) -> dict:
    manage(env, "migrate", "--no-input", "--verbosity", "0")
    return json.loads(manage(env, "seed_demo", "--json", "--allow-production"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """One gunicorn instance (`gunicorn.conf.py`, as `make serve` runs it)."""

    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self, workers: int = 2) -> Server:
        env = {**self.env, "WEB_CONCURRENCY": str(workers)}
        bind = f"127.0.0.1:{self.port}"
        command = [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--bind", bind]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if Client(self).get("/healthz/").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


class Client:
    """A browser behind the TLS proxy: Host amg.test, X-Forwarded-Proto https, cookies kept.

    ``server`` can be changed between requests: the cookies go along (a load balancer's view).
    ``client_ip`` (any 127.x.y.z) is the address the connection comes from, so tests that count
    per address (login lock, rate limit) do not share a budget.
    """

    def __init__(self, server: Server, *, client_ip: str | None = None, host: str = HOST) -> None:
        self.server = server
        self.host = host
        self.cookies: dict[str, str] = {}
        self.client_ip = client_ip

    def request(
        self, method: str, path: str, data: dict | None = None, *, https: bool = True
    ) -> Response:
        source = (self.client_ip, 0) if self.client_ip else None
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.server.port, timeout=60, source_address=source
        )
        headers = {"Host": self.host}
        if https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{HOST}"
            headers["Referer"] = f"https://{HOST}{path}"
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            conn.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict) -> Response:
        return self.request("POST", path, data)

    def follow(self, response: Response, limit: int = 10) -> Response:
        while response.status in (301, 302, 303) and limit:
            location = urlsplit(response.header("Location"))
            path = location.path + (f"?{location.query}" if location.query else "")
            response = self.get(path)
            limit -= 1
        return response

    def csrf(self, path: str) -> str:
        page = self.get(path)
        assert page.status == 200, (path, page.status)
        return csrf_token(page.text)

    def login(self, username: str, password: str) -> Response:
        token = self.csrf("/konto/log-ind/")
        return self.post(
            "/konto/log-ind/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token},
        )


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def form_fields(page: str) -> dict[str, list[str]]:
    """A filled-in form: hidden inputs as they are, the first choice of every radio group."""
    fields: dict[str, list[str]] = {}
    for tag in re.findall(r"<input\b[^>]*>", page):
        attrs = {k: html.unescape(v) for k, v in re.findall(r'(\w[\w-]*)="([^"]*)"', tag)}
        name, kind = attrs.get("name"), attrs.get("type", "text")
        if not name:
            continue
        if kind == "hidden" or (kind == "radio" and name not in fields):
            fields[name] = [attrs.get("value", "")]
    return fields
