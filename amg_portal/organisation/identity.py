"""Logging in through the organisation's identity provider (OpenID Connect or SAML 2.0).

Both protocols end here: the provider has vouched for a person (an e-mail address and, when the
provider is configured to send one, a stable id); we find the one active user that person is, or
say clearly that we do not know them. No account is created unless ``SSO_CREATE_USERS`` is on.
How the person logged in is kept in the session: a provider's login counts as its own
multi-factor authentication, so the app's second factor is asked only after a password login.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest

from amg_portal.organisation.audit import escape
from amg_portal.organisation.models import User

logger = logging.getLogger("amg_portal.identity")

LOGIN_METHOD_KEY = "amg_login_method"
OIDC = "oidc"
SAML = "saml"
PASSWORD = "password"  # noqa: S105 - a login method's name, not a secret
PROVIDER_METHODS = {OIDC, SAML}


class IdentityRejected(Exception):
    """The provider's answer cannot be trusted, or it does not name a person we can match."""

    def __init__(self, reason: str, *, unknown: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.unknown = unknown


@dataclass(frozen=True)
class Identity:
    """Who the identity provider says this is."""

    method: str
    email: str = ""
    stable_id: str = ""


def first_value(value: object) -> str:
    """A claim or attribute as one string (SAML attributes arrive as lists)."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value or "").strip()


def identity_from_claims(*, method: str, claims: dict, email_key: str, id_key: str) -> Identity:
    """Read the e-mail and stable id out of an OIDC claim set or a SAML attribute dict."""
    email = first_value(claims.get(email_key)) if email_key else ""
    stable_id = first_value(claims.get(id_key)) if id_key else ""
    if email:
        try:
            validate_email(email)
        except Exception:
            email = ""
    if not email and not stable_id:
        raise IdentityRejected(f"no usable {email_key!r} or {id_key!r} in the provider's answer")
    return Identity(method=method, email=email, stable_id=stable_id)


def _candidates(identity: Identity) -> list[User]:
    if identity.stable_id:
        by_id = list(User.objects.filter(person_id=identity.stable_id))
        if by_id:
            return by_id
    if identity.email:
        return list(User.objects.filter(email__iexact=identity.email)[:2])
    return []


def user_for_identity(*, identity: Identity) -> User:
    """The one active user the provider's identity names; raises ``IdentityRejected`` otherwise.

    The stable id (matched against ``User.person_id``) wins over the e-mail address, which
    people change when they marry or move; the e-mail is compared case-insensitively.
    """
    users = _candidates(identity)
    if len(users) > 1:
        raise IdentityRejected("more than one user matches", unknown=True)
    if users:
        if not users[0].is_active:
            raise IdentityRejected("the matching user is deactivated", unknown=True)
        return users[0]
    if settings.SSO_CREATE_USERS and identity.email:
        return user_create_from_identity(identity=identity)
    raise IdentityRejected("no user matches", unknown=True)


@transaction.atomic
def user_create_from_identity(*, identity: Identity) -> User:
    """Create an account for a person the provider vouches for (only when SSO_CREATE_USERS)."""
    email = BaseUserManager.normalize_email(identity.email)
    username, number = email.lower()[:140], 1
    while User.objects.filter(username=username).exists():
        number += 1
        username = f"{email.lower()[:140]}-{number}"
    user = User(username=username, email=email)
    if identity.stable_id and not User.objects.filter(person_id=identity.stable_id).exists():
        user.person_id = identity.stable_id
    user.set_unusable_password()
    user.save()
    logger.info("identity: created user %s from %s", escape(user.username), identity.method)
    return user


def log_rejection(request: HttpRequest | None, method: str, reason: object) -> None:
    """One escaped warning line per refused provider login (nothing is written to the database)."""
    from amg_portal.organisation.audit import client_ip

    logger.warning(
        "identity: %s login refused from %s: %s",
        method,
        client_ip(request) if request is not None else "-",
        escape(reason),
    )


def mark_provider_login(request: HttpRequest, method: str) -> None:
    """Remember in the session that the identity provider authenticated this login."""
    request.session[LOGIN_METHOD_KEY] = method


def logged_in_via_provider(request: HttpRequest) -> bool:
    """Did this session's login go through the identity provider (whose MFA counts)?"""
    return request.session.get(LOGIN_METHOD_KEY) in PROVIDER_METHODS


def login_buttons() -> list[dict[str, str]]:
    """The configured identity providers, for the "Log in with <name>" buttons."""
    from django.urls import reverse

    buttons = []
    if settings.OIDC_ENABLED:
        buttons.append({"name": settings.OIDC_DISPLAY_NAME, "url": reverse("oidc_login")})
    if settings.SAML_ENABLED:
        buttons.append({"name": settings.SAML_DISPLAY_NAME, "url": reverse("saml2_login")})
    return buttons


def password_login_allowed(user: User) -> bool:
    """Password logins may be limited to the coordinator (the way in when the provider is down)."""
    return not settings.PASSWORD_LOGIN_COORDINATORS_ONLY or user.is_coordinator
