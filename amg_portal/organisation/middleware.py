"""Request-wide behaviour of the organisation layer: language, session timeout, no caching."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _

IDLE_KEY = "amg_last_seen"
LOGIN_KEY = "amg_logged_in_at"


def _now() -> int:
    return int(time.time())


def session_started(request) -> None:
    """Remember when the user logged in, and let the session row and cookie end at that limit.

    Saving a session normally pushes its expiry SESSION_COOKIE_AGE further on; an absolute
    expiry date does not move, and the middleware below ends the session at that time anyway.
    """
    now = _now()
    request.session[LOGIN_KEY] = now
    request.session[IDLE_KEY] = now
    ends = dt.datetime.fromtimestamp(now + settings.SESSION_COOKIE_AGE, tz=dt.UTC)
    request.session.set_expiry(ends)


class UserLanguageMiddleware:
    """Use a logged-in user's preferred language instead of the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """End a session SESSION_COOKIE_AGE seconds after the login, whatever the activity, and after
    SESSION_IDLE_TIMEOUT seconds without a request.

    The login time is kept in the session (``session_started``, called at every login); a
    session from before that rule gets its clock started at its next request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = _now()
            logged_in_at = request.session.setdefault(LOGIN_KEY, now)
            last_seen = request.session.get(IDLE_KEY, now)
            if now - logged_in_at >= settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(request, _("Your session has ended: please log in again."))
            elif now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                messages.info(request, _("You were logged out after a period without activity."))
            elif now - last_seen >= 60 or IDLE_KEY not in request.session:
                # Writing once a minute at most keeps the session table quiet.
                request.session[IDLE_KEY] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Nothing the app renders may be kept by a browser or proxy cache: it is all about people.

    Static files never reach this middleware (whitenoise answers them earlier).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response:
            patch_cache_control(response, no_store=True, private=True)
        return response


class SecondFactorMiddleware:
    """Where a second factor is required, nothing but setting it up or using it is reachable.

    Only after a password login: a login through the identity provider has passed its MFA.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.OTP_REQUIRED_FOR_LEADERS and request.user.is_authenticated:
            from amg_portal.organisation.identity import logged_in_via_provider
            from amg_portal.organisation.two_factor import second_factor_required

            open_paths = {reverse("second_factor"), reverse("logout"), reverse("set_language")}
            if (
                request.path not in open_paths
                and not request.user.is_verified()
                # The identity provider's own multi-factor authentication counts.
                and not logged_in_via_provider(request)
                and second_factor_required(request.user)
            ):
                target = (
                    reverse("second_factor") + "?" + urlencode({"next": request.get_full_path()})
                )
                return redirect(target)
        return self.get_response(request)
