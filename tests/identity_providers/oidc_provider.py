"""A real OpenID Connect provider for the tests: django-oauth-toolkit in its own process.

    python -m tests.identity_providers.oidc_provider CONFIG.json

CONFIG names the port, the issuer, the client (id, secret, redirect URIs) and the people (username,
password, e-mail, stable id). The provider has its own SQLite database and signing key in the
config's directory, a plain login form, and, for the tests of bad tokens, ``/mangle/<mode>/token/``:
the real token endpoint whose ID token is then spoiled (expired, for another audience, signed with
a stranger's key, or unsigned) the way a broken or hostile provider would.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import django
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

LOGIN_TEMPLATE = """<!doctype html><title>Test IdP</title><h1>Test identity provider</h1>
<form method="post">{% csrf_token %}{{ form.as_p }}
<input type="hidden" name="next" value="{{ next }}"><button type="submit">Sign in</button></form>"""


def _pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def configure(config: dict, workdir: Path) -> None:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="test-provider-" + "x" * 50,
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(workdir / "provider.sqlite3"),
            }
        },
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "loaders": [
                        (
                            "django.template.loaders.locmem.Loader",
                            {"registration/login.html": LOGIN_TEMPLATE},
                        )
                    ],
                    "context_processors": ["django.template.context_processors.request"],
                },
            }
        ],
        LOGIN_URL="/login/",
        SESSION_COOKIE_NAME="provider_session",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        USE_TZ=True,
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": _pem(rsa.generate_private_key(65537, 2048)),
            "OIDC_ISS_ENDPOINT": config["issuer"],
            "OAUTH2_VALIDATOR_CLASS": f"{__name__}.Validator",
            "SCOPES": {"openid": "OpenID", "email": "E-mail", "profile": "Profile"},
            "PKCE_REQUIRED": True,
        },
    )
    django.setup()


@functools.cache
def _validator_class():
    from oauth2_provider.oauth2_validators import OAuth2Validator

    class Validator(OAuth2Validator):
        # Release the e-mail and the stable id for any granted scope.
        oidc_claim_scope = None

        def get_additional_claims(self, request):
            user = request.user
            return {"email": user.email, "employee_id": user.last_name}

    return Validator


def _mangle_token(request, mode):
    """The real token endpoint, with its ID token spoiled according to ``mode``."""
    import jwt
    from django.http import JsonResponse
    from oauth2_provider.settings import oauth2_settings
    from oauth2_provider.views import TokenView

    response = TokenView.as_view()(request)
    if response.status_code != 200:
        return response
    body = json.loads(response.content)
    header = jwt.get_unverified_header(body["id_token"])
    claims = jwt.decode(body["id_token"], options={"verify_signature": False})
    key = oauth2_settings.OIDC_RSA_PRIVATE_KEY
    if mode == "expired":
        claims.update(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    elif mode == "audience":
        claims["aud"] = "someone-else"
    elif mode == "badsig":
        key = _pem(rsa.generate_private_key(65537, 2048))
    if mode == "unsigned":
        body["id_token"] = jwt.encode(claims, None, algorithm="none")
    else:
        body["id_token"] = jwt.encode(
            claims, key, algorithm="RS256", headers={"kid": header["kid"]}
        )
    return JsonResponse(body)


def _add_redirect_uri(request):
    """Let the tests register the live server's callback once they know its port."""
    from django.http import HttpResponse
    from oauth2_provider.models import Application

    application = Application.objects.get()
    application.redirect_uris += " " + request.POST["uri"]
    application.save(update_fields=["redirect_uris"])
    return HttpResponse("ok")


@functools.cache
def _urlpatterns():
    from django.contrib.auth import views as auth_views
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    return [
        path("login/", auth_views.LoginView.as_view(), name="login"),
        path("mangle/<str:mode>/token/", csrf_exempt(_mangle_token)),
        path("test/redirect-uri/", csrf_exempt(_add_redirect_uri)),
        path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    ]


def populate(config: dict) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for person in config["people"]:
        user = User(username=person["username"], email=person["email"])
        user.last_name = person.get("stable_id", "")
        user.set_password(person["password"])
        user.save()
    client = config["client"]
    Application.objects.create(
        name="AMG-portal",
        client_id=client["id"],
        client_secret=client["secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(client["redirect_uris"]),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main() -> None:
    config_path = Path(sys.argv[1])
    config = json.loads(config_path.read_text())
    configure(config, config_path.parent)
    populate(config)
    from django.core.wsgi import get_wsgi_application

    server = make_server(
        "127.0.0.1",
        config["port"],
        get_wsgi_application(),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    print("READY", flush=True)
    server.serve_forever()


def __getattr__(name):
    # ROOT_URLCONF and OAUTH2_VALIDATOR_CLASS point at this module; build them after setup.
    if name == "urlpatterns":
        return _urlpatterns()
    if name == "Validator":
        return _validator_class()
    raise AttributeError(name)


if __name__ == "__main__":
    main()
