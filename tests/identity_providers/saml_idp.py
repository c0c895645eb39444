"""A real SAML 2.0 identity provider for the tests: pysaml2's ``Server``, in-process or served.

    python -m tests.identity_providers.saml_idp CONFIG.json

The in-process helpers (``make_keys``, ``idp_server``, ``idp_metadata``, ``answer``) let the tests
build signed, tampered or unsigned responses; ``main`` serves the same provider over HTTP for the
browser journey: a login form at ``/sso/redirect`` that answers the service provider's
AuthnRequest with a signed assertion posted back to its assertion consumer service.
"""

from __future__ import annotations

import base64
import datetime
import html
import json
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import saml2
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT
from saml2.server import Server

XMLSEC = "/usr/bin/xmlsec1"


def make_keys(directory: Path, name: str) -> tuple[str, str]:
    """A fresh RSA key and self-signed certificate, as PEM files; returns their paths."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


def idp_config(*, base_url: str, key_file: str, cert_file: str, sp_metadata: str = "") -> IdPConfig:
    config = {
        "entityid": base_url + "/metadata",
        "xmlsec_binary": XMLSEC,
        "key_file": key_file,
        "cert_file": cert_file,
        "service": {
            "idp": {
                "name": "Test IdP",
                "endpoints": {
                    "single_sign_on_service": [
                        (base_url + "/sso/redirect", saml2.BINDING_HTTP_REDIRECT)
                    ]
                },
                "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                "policy": {
                    "default": {
                        "lifetime": {"minutes": 15},
                        "attribute_restrictions": None,
                        "name_form": NAME_FORMAT_URI,
                    }
                },
            }
        },
    }
    if sp_metadata:
        config["metadata"] = {"local": [sp_metadata]}
    loaded = IdPConfig()
    loaded.load(config)
    return loaded


def idp_metadata(config: IdPConfig) -> str:
    return create_metadata_string(None, config=config, valid=4, sign=False).decode()


def idp_server(config: IdPConfig) -> Server:
    return Server(config=config)


def answer(
    server: Server, saml_request: str, person: dict, *, sign: bool = True
) -> tuple[str, str]:
    """Answer a redirect-binding AuthnRequest for ``person``: (ACS URL, base64 SAMLResponse)."""
    request = server.parse_authn_request(saml_request, saml2.BINDING_HTTP_REDIRECT)
    args = server.response_args(request.message, [saml2.BINDING_HTTP_POST])
    response = server.create_authn_response(
        identity={
            "mail": [person["email"]],
            "eduPersonPrincipalName": [person["stable_id"]],
        },
        userid=person["username"],
        authn={"class_ref": saml2.saml.AUTHN_PASSWORD_PROTECTED, "authn_auth": "test-idp"},
        sign_assertion=sign,
        sign_response=False,
        **args,
    )
    return args["destination"], base64.b64encode(str(response).encode()).decode()


LOGIN_PAGE = """<!doctype html><title>Test IdP</title><h1>Test identity provider</h1>
<form method="post" action="/sso/login">
<input type="hidden" name="SAMLRequest" value="{request}">
<input type="hidden" name="RelayState" value="{relay}">
<label>Username <input name="username"></label> <button type="submit">Sign in</button></form>"""

POST_PAGE = """<!doctype html><title>Test IdP</title><p>Signed in.</p>
<form method="post" action="{acs}">
<input type="hidden" name="SAMLResponse" value="{response}">
<input type="hidden" name="RelayState" value="{relay}">
<button type="submit">Continue to the service</button></form>"""


def wsgi_app(server: Server, people: dict):
    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/sso/redirect":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            body = LOGIN_PAGE.format(
                request=html.escape(query["SAMLRequest"][0]),
                relay=html.escape(query.get("RelayState", [""])[0]),
            )
        elif path == "/sso/login" and environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = parse_qs(environ["wsgi.input"].read(length).decode())
            acs, response = answer(server, form["SAMLRequest"][0], people[form["username"][0]])
            body = POST_PAGE.format(
                acs=html.escape(acs),
                response=response,
                relay=html.escape(form.get("RelayState", [""])[0]),
            )
        else:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body.encode()]

    return app


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text())
    server = idp_server(
        idp_config(
            base_url=config["base_url"],
            key_file=config["key_file"],
            cert_file=config["cert_file"],
            sp_metadata=config["sp_metadata"],
        )
    )
    people = {person["username"]: person for person in config["people"]}
    httpd = make_server(
        "127.0.0.1",
        config["port"],
        wsgi_app(server, people),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    print("READY", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
