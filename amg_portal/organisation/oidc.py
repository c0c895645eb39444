"""OpenID Connect login (mozilla-django-oidc), with the checks the library leaves to us.

mozilla-django-oidc verifies the signature and the nonce of the ID token but not its audience or
issuer; ``verify_token`` here checks all of them (and the expiry), and any failure is an
``IdentityRejected`` that the callback view turns into a clear page and one log line.
"""

from __future__ import annotations

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponse
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from amg_portal.organisation import identity
from amg_portal.organisation.identity import IdentityRejected
from amg_portal.organisation.views import _remember_language, identity_refused

CLOCK_LEEWAY_SECONDS = 60


class OIDCBackend(OIDCAuthenticationBackend):
    """Match the provider's person to an existing user; never create one unless told to."""

    def __init__(self, *args, **kwargs):
        # The library reads (and insists on) its settings here; we do that only when OIDC is on,
        # because Django builds every backend for every password login too.
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED:
            return None
        super().__init__()
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        """Check signature, algorithm, audience, issuer, expiry and (at login) the nonce."""
        if not token:
            raise IdentityRejected("the provider sent no ID token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise IdentityRejected(f"malformed ID token: {exc}") from exc
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise IdentityRejected(f"ID token signed with {header.get('alg')!r}")
        payload = self._decode(token, header["alg"])
        if "nonce" in kwargs and payload.get("nonce") != kwargs["nonce"]:
            raise IdentityRejected("ID token nonce does not match this login")
        return payload

    def _signing_key(self, token):
        if not self.OIDC_RP_SIGN_ALGO.startswith(("RS", "ES", "PS")):
            return self.OIDC_RP_CLIENT_SECRET
        if self.OIDC_RP_IDP_SIGN_KEY:
            return self.OIDC_RP_IDP_SIGN_KEY
        try:
            return self.retrieve_matching_jwk(token)
        except (KeyError, SuspiciousOperation, jwt.PyJWTError) as exc:
            raise IdentityRejected(f"no provider key matches the ID token: {exc}") from exc

    def _decode(self, token, alg):
        try:
            return jwt.decode(
                token,
                self._signing_key(token),
                algorithms=[alg],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "aud", "iss", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise IdentityRejected("ID token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise IdentityRejected("ID token is for another audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise IdentityRejected("ID token is from another issuer") from exc
        except jwt.PyJWTError as exc:
            raise IdentityRejected(f"ID token rejected: {exc}") from exc

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the userinfo endpoint when one is configured."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = super().get_userinfo(access_token, id_token, payload)
            if userinfo.get("sub") != payload.get("sub"):
                raise IdentityRejected("userinfo is about another subject than the ID token")
            claims.update(userinfo)
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        person = identity.identity_from_claims(
            method=identity.OIDC,
            claims=claims,
            email_key=settings.OIDC_EMAIL_CLAIM,
            id_key=settings.OIDC_ID_CLAIM,
        )
        self.request.amg_identity = person
        return identity.user_for_identity(identity=person)


class _Enabled:
    """A switched-off OpenID Connect provider has no pages."""

    def dispatch(self, request, *args, **kwargs):
        # A method the view does not have still gets its 405 from Django.
        if not settings.OIDC_ENABLED and hasattr(self, request.method.lower()):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class OIDCLoginView(_Enabled, OIDCAuthenticationRequestView):
    """Send the browser to the provider (state, nonce and PKCE kept in the session)."""

    def __init__(self, *args, **kwargs):
        # The library reads its settings once, when the URL conf is loaded; we read them per
        # request, so a switched-off provider needs none of them.
        View.__init__(self, *args, **kwargs)

    def get(self, request):
        self.OIDC_OP_AUTH_ENDPOINT = settings.OIDC_OP_AUTHORIZATION_ENDPOINT
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class OIDCCallbackView(_Enabled, OIDCAuthenticationCallbackView):
    """The provider's redirect back: log in, or show what went wrong (and log it)."""

    def get(self, request):
        try:
            return super().get(request)
        except IdentityRejected as exc:
            return self._refuse(exc.reason, unknown=exc.unknown)
        except requests.RequestException as exc:
            # A used or expired code is refused by the token endpoint: a replay ends here too.
            return self._refuse(f"the provider refused the code: {exc}")
        except SuspiciousOperation as exc:
            return self._refuse(str(exc))

    def login_failure(self):
        if self.request.GET.get("error"):
            return self._refuse(f"the provider answered {self.request.GET['error']!r}")
        return self._refuse("the login was not started here, or was already used")

    def login_success(self):
        response = super().login_success()
        identity.mark_provider_login(self.request, identity.OIDC)
        return _remember_language(response, self.user.language)

    def _refuse(self, reason: str, *, unknown: bool = False) -> HttpResponse:
        person = getattr(self.request, "amg_identity", None)
        return identity_refused(
            self.request,
            method=identity.OIDC,
            reason=reason,
            unknown=unknown,
            email=person.email if person else "",
        )
