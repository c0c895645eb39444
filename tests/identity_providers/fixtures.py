"""Start the tests' identity providers in their own processes and point the app at them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "amg-portal-test"
CLIENT_SECRET = "amg-portal-test-secret-" + "s" * 20
PROVIDER_PASSWORD = "provider-password-1"
# People the provider knows. The app knows some of them (the tests create those users).
PEOPLE = [
    {"username": "known", "email": "Known.Person@Example.org", "stable_id": "P-100"},
    {"username": "stranger", "email": "stranger@example.org", "stable_id": "P-999"},
    {"username": "renamed", "email": "new-name@example.org", "stable_id": "P-200"},
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(module: str, config: dict, workdir: Path) -> subprocess.Popen:
    """Run ``python -m module config.json`` and wait until it says READY."""
    config_path = workdir / "config.json"
    config_path.write_text(json.dumps(config))
    log = open(workdir / "provider.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [sys.executable, "-m", module, str(config_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": ""},
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.strip() == "READY":
            return process
        if process.poll() is not None:
            break
    process.kill()
    pytest.fail(f"{module} did not start: {(workdir / 'provider.log').read_text()[-3000:]}")


@dataclass
class OIDCProvider:
    url: str

    @property
    def issuer(self) -> str:
        return self.url + "/o"

    def allow_redirect(self, uri: str) -> None:
        requests.post(self.url + "/test/redirect-uri/", data={"uri": uri}, timeout=10)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """django-oauth-toolkit as an OpenID Connect provider, in a second process."""
    workdir = tmp_path_factory.mktemp("oidc-provider")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = {
        "port": port,
        "issuer": url + "/o",
        "client": {
            "id": CLIENT_ID,
            "secret": CLIENT_SECRET,
            "redirect_uris": ["http://testserver/konto/oidc/retur/"],
        },
        "people": [{**person, "password": PROVIDER_PASSWORD} for person in PEOPLE],
    }
    process = start("tests.identity_providers.oidc_provider", config, workdir)
    yield OIDCProvider(url=url)
    process.terminate()
    process.wait(10)


@pytest.fixture
def oidc_settings(settings, oidc_provider):
    """Turn OpenID Connect on, configured the way an operator would from the environment."""
    issuer = oidc_provider.issuer
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = issuer
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = issuer + "/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = issuer + "/token/"
    settings.OIDC_OP_USER_ENDPOINT = issuer + "/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = issuer + "/.well-known/jwks.json"
    settings.OIDC_ID_CLAIM = "employee_id"
    settings.OIDC_DISPLAY_NAME = "Test-IdP"
    return settings


def provider_login(authorize_url: str, username: str) -> str:
    """Log in at the provider as a browser would; return the redirect back to the app."""
    session = requests.Session()
    response = session.get(authorize_url, allow_redirects=False, timeout=10)
    login_url = urljoin(authorize_url, response.headers["Location"])
    page = session.get(login_url, timeout=10)
    token = session.cookies["csrftoken"]
    next_url = parse_qs(urlsplit(login_url).query)["next"][0]
    response = session.post(
        login_url,
        data={
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": PROVIDER_PASSWORD,
            "next": next_url,
        },
        headers={"Referer": login_url},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, page.text
    response = session.get(
        urljoin(login_url, response.headers["Location"]), allow_redirects=False, timeout=10
    )
    assert response.status_code == 302, response.text
    return response.headers["Location"]


# --- SAML 2.0 ----------------------------------------------------------------------------------

SAML_IDP_URL = "http://idp.test"


@pytest.fixture(scope="session")
def saml_keys(tmp_path_factory) -> dict[str, tuple[str, str]]:
    """Keys and certificates made at test time: the IdP's, a stranger's and the portal's."""
    from tests.identity_providers.saml_idp import make_keys

    directory = tmp_path_factory.mktemp("saml-keys")
    return {name: make_keys(directory, name) for name in ("idp", "stranger", "sp")}


def write_idp_metadata(path: Path, base_url: str, keys: tuple[str, str]) -> str:
    from tests.identity_providers.saml_idp import idp_config, idp_metadata

    config = idp_config(base_url=base_url, key_file=keys[0], cert_file=keys[1])
    path.write_text(idp_metadata(config))
    return str(path)


def write_sp_metadata(path: Path) -> str:
    from saml2.metadata import create_metadata_string

    from amg_portal.organisation.saml import sp_config

    path.write_bytes(create_metadata_string(None, config=sp_config(), valid=4))
    return str(path)


@pytest.fixture
def saml_settings(settings, saml_keys, tmp_path):
    """Turn SAML on for the test client's site, with the test IdP's metadata."""
    settings.SAML_ENABLED = True
    settings.SITE_URL = "http://testserver"
    settings.SAML_SP_ENTITY_ID = "http://testserver/saml2/metadata/"
    settings.SAML_SP_KEY_FILE, settings.SAML_SP_CERT_FILE = saml_keys["sp"]
    settings.SAML_IDP_METADATA_FILE = write_idp_metadata(
        tmp_path / "idp.xml", SAML_IDP_URL, saml_keys["idp"]
    )
    settings.SAML_DISPLAY_NAME = "WAYF-test"
    return settings


@pytest.fixture
def saml_idp(saml_settings, saml_keys, tmp_path):
    """pysaml2's identity provider, in-process, knowing the portal from its metadata."""
    from tests.identity_providers.saml_idp import idp_config, idp_server

    sp_metadata = write_sp_metadata(tmp_path / "sp.xml")

    def server(keys: str = "idp"):
        key_file, cert_file = saml_keys[keys]
        config = idp_config(
            base_url=SAML_IDP_URL, key_file=key_file, cert_file=cert_file, sp_metadata=sp_metadata
        )
        return idp_server(config)

    return server


@pytest.fixture
def saml_idp_process(settings, saml_keys, tmp_path, live_server):
    """pysaml2's identity provider served over HTTP in a second process, for the live server."""
    port = free_port()
    base_url = f"http://localhost:{port}"
    settings.SAML_ENABLED = True
    settings.SITE_URL = live_server.url
    settings.SAML_SP_ENTITY_ID = live_server.url + "/saml2/metadata/"
    settings.SAML_SP_KEY_FILE, settings.SAML_SP_CERT_FILE = saml_keys["sp"]
    settings.SAML_IDP_METADATA_FILE = write_idp_metadata(
        tmp_path / "idp.xml", base_url, saml_keys["idp"]
    )
    settings.SAML_DISPLAY_NAME = "WAYF-test"
    config = {
        "port": port,
        "base_url": base_url,
        "key_file": saml_keys["idp"][0],
        "cert_file": saml_keys["idp"][1],
        "sp_metadata": write_sp_metadata(tmp_path / "sp.xml"),
        "people": PEOPLE,
    }
    process = start("tests.identity_providers.saml_idp", config, tmp_path)
    yield base_url
    process.terminate()
    process.wait(10)
