"""gunicorn with DEBUG off after collectstatic, on PostgreSQL: what production really serves."""

from __future__ import annotations

import io
import os
import re
import subprocess
import time

from PIL import Image

from tests.ops import harness
from tests.ops.harness import Client

# The PDFs' brand colour (static/css/pdf.css: the header's rule and title, #1f4e5f).
BRAND = (0x1F, 0x4E, 0x5F)


def logged_in(server, site, role: str = "coordinator") -> Client:
    client = Client(server)
    response = client.login(*site.login(role))
    assert response.status == 302, response.text[:500]
    return client


def test_pages_carry_the_security_headers(server):
    response = Client(server).get("/konto/log-ind/")
    assert response.status == 200
    assert "max-age=31536000" in response.header("Strict-Transport-Security")
    assert "default-src 'self'" in response.header("Content-Security-Policy")
    assert response.header("X-Frame-Options") == "DENY"
    assert response.header("X-Content-Type-Options") == "nosniff"
    assert response.header("Referrer-Policy") == "same-origin"
    assert "no-store" in response.header("Cache-Control")
    cookies = response.headers.get_all("Set-Cookie")
    assert any(c.startswith("__Host-csrftoken=") and "Secure" in c for c in cookies)


def test_plain_http_is_redirected_to_https(server):
    response = Client(server).get("/konto/log-ind/", https=False)
    assert response.status == 301
    assert response.header("Location") == f"https://{harness.HOST}/konto/log-ind/"


def test_static_files_are_hashed_and_cached_for_a_long_time(server):
    page = Client(server).get("/konto/log-ind/").text
    stylesheets = re.findall(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page)
    assert stylesheets, "the page links no hashed stylesheet"
    for path in stylesheets:
        response = Client(server).get(path)
        assert response.status == 200, path
        assert response.header("Content-Type").startswith("text/css")
        assert "max-age=315360000" in response.header("Cache-Control")
        assert "immutable" in response.header("Cache-Control")


def test_a_coordinator_logs_in_and_reaches_the_portal(server, site):
    client = logged_in(server, site)
    home = client.follow(client.get("/"))
    assert home.status == 200
    assert "/konto/log-ud/" in home.text


def brand_pixels(pdf: bytes, tmp_path) -> int:
    """Pixels in the brand colour in the header band (top fifth) of page 1, at 40 dpi.

    Charts further down use the same colour inline; the header's colours come only from pdf.css.
    """
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(source), str(tmp_path / "p")],
        check=True,
        timeout=60,
    )
    page = Image.open(io.BytesIO(next(tmp_path.glob("p*.png")).read_bytes())).convert("RGB")
    band = page.crop((0, 0, page.width, page.height // 5))
    return sum(
        1
        for y in range(band.height)
        for x in range(band.width)
        if all(abs(a - b) <= 12 for a, b in zip(band.getpixel((x, y)), BRAND, strict=True))
    )


def test_the_apv_pdf_has_its_stylesheet_applied(server, site, tmp_path):
    [(cycle, unit)] = harness.query(
        site.url, "SELECT id, unit_id FROM handlingsplan_cycle ORDER BY id LIMIT 1"
    )
    client = logged_in(server, site)
    response = client.get(f"/handlingsplan/enhed/{unit}/forloeb/{cycle}/apv.pdf")
    assert response.status == 200
    assert response.header("Content-Type") == "application/pdf"
    # The header's 2.5 pt rule and 19 pt title in the brand colour: only the stylesheet paints them.
    assert brand_pixels(response.body, tmp_path) > 50
    assert "Refused" not in (site.logs / "server.log").read_text()


def test_probes_answer_on_the_internal_address_and_stay_out_of_the_access_log(server, site):
    probe = Client(server, host="10.0.0.7:8000")
    for path, body in (("/healthz/", b"ok\n"), ("/readyz/", b"ready\n")):
        response = probe.get(path, https=False)
        assert (response.status, response.body) == (200, body)
        assert response.header("Cache-Control") == "no-store"
    Client(server).get("/konto/log-ind/")
    log = (site.logs / "server.log").read_text()
    assert re.search(r'logger=gunicorn\.access .*path="/konto/log-ind/" status=200', log)
    assert "/healthz/" not in log and "/readyz/" not in log


def test_the_access_log_leaves_out_answer_codes(server, site):
    Client(server).get("/kortlaegning/svar/1/k/SECRET-CODE-42/")
    deadline = time.monotonic() + 10  # gunicorn writes the line after the response
    while "/kortlaegning/svar/1/k/" not in (log := (site.logs / "server.log").read_text()):
        assert time.monotonic() < deadline, log[-2000:]
        time.sleep(0.1)
    assert "/kortlaegning/svar/1/k/[redacted]/" in log
    assert "SECRET-CODE-42" not in log


def test_serve_refuses_in_one_line_without_a_database_url(site):
    env = site.env()
    del env["DATABASE_URL"]
    result = subprocess.run(
        ["scripts/serve.sh"], cwd=harness.ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "amg-portal: DATABASE_URL is not set; with DEBUG off name the PostgreSQL database "
        "(postgres://user:password@host:5432/name)."
    ]
    assert os.path.exists(harness.ROOT / "scripts" / "serve.sh")


def test_gunicorn_refuses_threaded_workers(site):
    command = [str(harness.BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--threads", "4"]
    command += ["--bind", f"127.0.0.1:{harness.free_port()}"]
    result = subprocess.run(
        command, cwd=harness.ROOT, env=site.env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "amg-portal: gunicorn worker class 'gthread' with 4 threads is not supported" in (
        result.stderr
    )
