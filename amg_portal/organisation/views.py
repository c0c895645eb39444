from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login
from django_otp import match_token

from amg_portal.organisation import audit, identity, privacy, selectors, services, two_factor
from amg_portal.organisation.access import Action, can, unit_for_user
from amg_portal.organisation.forms import (
    EraseConfirmForm,
    LoginForm,
    ProfileForm,
    TokenForm,
    UnitForm,
)
from amg_portal.organisation.models import AuditEntry, User


def _remember_language(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 60 * 60,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


class LoginView(auth_views.LoginView):
    """Django's password login beside the identity provider's buttons; switches language."""

    template_name = "registration/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["providers"] = identity.login_buttons()
        context["password_login_limited"] = settings.PASSWORD_LOGIN_COORDINATORS_ONLY
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session[identity.LOGIN_METHOD_KEY] = identity.PASSWORD
        translation.activate(form.get_user().language)
        return _remember_language(response, form.get_user().language)


def identity_refused(
    request: HttpRequest, *, method: str, reason: str, unknown: bool, email: str = ""
) -> HttpResponse:
    """The page after a refused provider login: unknown person (403) or untrusted answer (400)."""
    identity.log_rejection(request, method, reason)
    context = {"unknown": unknown, "email": email, "providers": identity.login_buttons()}
    return render(
        request, "registration/identity_refused.html", context, status=403 if unknown else 400
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switch; a logged-in user's choice is kept on their profile."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_set_language(user=request.user, language=language)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.language)
        messages.success(request, _("Your profile has been saved."))
        return _remember_language(redirect("profile"), user.language)
    memberships = selectors.memberships_of(request.user)
    return render(
        request,
        "organisation/profile.html",
        {
            "form": form,
            "memberships": memberships,
            "has_second_factor": two_factor.confirmed_device(request.user) is not None,
            "second_factor_required": two_factor.second_factor_required(request.user),
        },
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app, or use it to verify this login."""
    user = request.user
    device = two_factor.confirmed_device(user)
    form = TokenForm(request.POST or None)
    if device is None:
        pending = two_factor.totp_device_start(user=user)
        if request.method == "POST" and form.is_valid():
            confirmed = two_factor.totp_device_confirm(user=user, token=form.cleaned_data["token"])
            if confirmed is not None:
                otp_login(request, confirmed)
                messages.success(request, _("Your authenticator app is set up."))
                return redirect(_safe_next(request))
            form.add_error("token", _("The code is not right. Check the clock on your phone."))
        context = {"form": form, "setup": True, "qr": two_factor.qr_svg(pending)}
        context["secret"] = two_factor.secret_of(pending)
    else:
        if request.method == "POST" and form.is_valid():
            matched = match_token(user, form.cleaned_data["token"])
            if matched is not None:
                otp_login(request, matched)
                return redirect(_safe_next(request))
            form.add_error("token", _("The code is not right. Check the clock on your phone."))
        context = {"form": form, "setup": False}
    context["next"] = _safe_next(request)
    return render(request, "organisation/second_factor.html", context)


@login_required
@require_POST
def second_factor_remove(request: HttpRequest) -> HttpResponse:
    """Turn the second factor off, unless the user's role requires it."""
    if two_factor.second_factor_required(request.user):
        messages.error(request, _("Your role requires a second factor; it cannot be turned off."))
    else:
        two_factor.totp_device_remove(user=request.user)
        messages.success(request, _("The second factor is turned off."))
    return redirect("profile")


@login_required
@require_safe
def unit_list(request: HttpRequest) -> HttpResponse:
    units = selectors.unit_window(request.user)
    return render(request, "organisation/unit_list.html", {"forest": selectors.unit_forest(units)})


@login_required
@require_safe
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = unit_for_user(request.user, pk, Action.VIEW_UNIT)
    # The unit, its visible ancestors and its direct sub-units: deeper units are a click away.
    window = selectors.unit_window(request.user, unit.pk)
    forest = selectors.unit_forest([u for u in window if u.path.startswith(unit.path)])
    breadcrumbs = [u for u in window if len(u.path) < len(unit.path)]
    return render(
        request,
        "organisation/unit_detail.html",
        {
            "unit": unit,
            "children": forest[0].children if forest else [],
            "breadcrumbs": breadcrumbs,
            "members": selectors.unit_members(unit),
            "subtree_headcount": forest[0].people if forest else unit.headcount,
            "may_manage": can(request.user, Action.MANAGE_UNIT, unit),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = unit_for_user(request.user, pk, Action.MANAGE_UNIT)
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        services.unit_update(unit=unit, **form.cleaned_data)
        messages.success(request, _("The unit has been saved."))
        return redirect("organisation:unit_detail", pk=unit.pk)
    return render(request, "organisation/unit_form.html", {"form": form, "unit": unit})


def locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    """django-axes' answer to a locked username + address: a clear page, status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


def _person_for_coordinator(request: HttpRequest, pk: int) -> User:
    """Only the coordinator handles personal-data requests; to others the page does not exist."""
    if not request.user.coordinates:
        raise Http404
    return get_object_or_404(User, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def personal_data(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's data: export it as JSON, or erase it (the coordinator's GDPR duties)."""
    person = _person_for_coordinator(request, pk)
    form = EraseConfirmForm(request.POST or None, username=person.username)
    if request.method == "POST" and form.is_valid():
        if person == request.user:
            form.add_error(None, _("You cannot erase your own account."))
        else:
            privacy.user_erase(user=person, by=request.user)
            messages.success(request, _("The person's data has been erased."))
            return redirect("personal_data", pk=person.pk)
    data = privacy.user_personal_data(user=person)
    return render(
        request, "organisation/personal_data.html", {"person": person, "data": data, "form": form}
    )


@login_required
@require_http_methods(["GET"])
def personal_data_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Download everything held about a person as JSON (written to the audit log)."""
    person = _person_for_coordinator(request, pk)
    audit.record(
        kind=AuditEntry.Kind.PERSONAL_DATA,
        actor=request.user,
        target=f"user {person.pk}",
        detail="export",
        request=request,
    )
    body = json.dumps(privacy.user_personal_data(user=person), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="persondata-{person.pk}.json"'
    return response
