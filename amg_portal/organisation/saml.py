"""SAML 2.0 login (djangosaml2 / pysaml2 with xmlsec1) for WAYF, ADFS and Entra ID.

The service provider's configuration is built from settings (see docs/identity.md). Assertions
must be signed by a key in the identity provider's metadata; the person is matched by
``identity.user_for_identity`` from the ``mail`` and ``eduPersonPrincipalName`` attributes (or
whichever attributes SAML_EMAIL_ATTRIBUTE / SAML_ID_ATTRIBUTE name).
"""

from __future__ import annotations

import saml2
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from djangosaml2 import views as saml_views
from djangosaml2.backends import Saml2Backend
from saml2.config import SPConfig

from amg_portal.organisation import identity
from amg_portal.organisation.identity import IdentityRejected
from amg_portal.organisation.views import _remember_language, identity_refused


def sp_config(request: HttpRequest | None = None) -> SPConfig:
    """The pysaml2 service-provider configuration, from settings."""
    acs_url = settings.SITE_URL + reverse("saml2_acs")
    signing = bool(settings.SAML_SP_KEY_FILE and settings.SAML_SP_CERT_FILE)
    config = {
        "entityid": settings.SAML_SP_ENTITY_ID,
        "xmlsec_binary": settings.SAML_XMLSEC_BINARY,
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "name": "AMG-portal",
                "endpoints": {"assertion_consumer_service": [(acs_url, saml2.BINDING_HTTP_POST)]},
                "want_assertions_signed": True,
                "want_response_signed": False,
                "authn_requests_signed": signing,
                "allow_unsolicited": False,
                "required_attributes": [settings.SAML_EMAIL_ATTRIBUTE],
                "optional_attributes": [settings.SAML_ID_ATTRIBUTE],
            }
        },
        "metadata": {"local": [settings.SAML_IDP_METADATA_FILE]},
    }
    if signing:
        config["key_file"] = settings.SAML_SP_KEY_FILE
        config["cert_file"] = settings.SAML_SP_CERT_FILE
        config["encryption_keypairs"] = [
            {"key_file": settings.SAML_SP_KEY_FILE, "cert_file": settings.SAML_SP_CERT_FILE}
        ]
    sp = SPConfig()
    sp.load(config)
    return sp


class SAMLBackend(Saml2Backend):
    """Match the asserted person to an existing user; never create one unless told to."""

    def authenticate(self, request, session_info=None, **kwargs):
        if not settings.SAML_ENABLED or not session_info or "ava" not in session_info:
            return None
        person = identity.identity_from_claims(
            method=identity.SAML,
            claims=session_info["ava"],
            email_key=settings.SAML_EMAIL_ATTRIBUTE,
            id_key=settings.SAML_ID_ATTRIBUTE,
        )
        request.amg_identity = person
        return identity.user_for_identity(identity=person)


class _Enabled:
    """A switched-off SAML provider has no pages."""

    def dispatch(self, request, *args, **kwargs):
        # A method the view does not have still gets its 405 from Django.
        if not settings.SAML_ENABLED and hasattr(self, request.method.lower()):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class LoginView(_Enabled, saml_views.LoginView):
    pass


class MetadataView(_Enabled, saml_views.MetadataView):
    pass


# The IdP's answer is a cross-site POST: it carries no CSRF token; the signed assertion and its
# InResponseTo (checked against this browser's outstanding request) are what protect it.
@method_decorator(csrf_exempt, name="dispatch")
class AssertionConsumerServiceView(_Enabled, saml_views.AssertionConsumerServiceView):
    """The identity provider's answer: log in, or a clear page (and a log line) on failure."""

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except IdentityRejected as exc:
            return self._refuse(exc.reason, unknown=exc.unknown)

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        return self._refuse(f"{type(exception).__name__}: {exception}")

    def post_login_hook(self, request, user, session_info) -> None:
        identity.mark_provider_login(request, identity.SAML)

    def _refuse(self, reason: str, *, unknown: bool = False) -> HttpResponse:
        person = getattr(self.request, "amg_identity", None)
        return identity_refused(
            self.request,
            method=identity.SAML,
            reason=reason,
            unknown=unknown,
            email=person.email if person else "",
        )

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if request.user.is_authenticated and response.status_code == 302:
            return _remember_language(response, request.user.language)
        return response
