"""Pages for respondents: exchange a code or link for a session, answer level by level, submit once.

The secret is only ever in the first URL (or the typed code). It is exchanged for a grant kept in
the session and the browser is redirected to URLs without it, a refusal included; the response at
the secret URL carries ``Referrer-Policy: no-referrer``. Answers given so far are kept in the
session until the last step stores the response and uses up the ticket in one transaction.

Tries are limited by what is tried, not only by address (docs/security.md, "A room behind one
address"): each code or link has its own counter, and refused secrets count against the address.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amg_portal.organisation.access import Action
from amg_portal.organisation.audit import client_ip
from amg_portal.ratelimit import rate_limit_count, rate_limit_hit, rate_limited, too_many_requests
from kortlaegning import selectors, services, tokens
from kortlaegning.forms import AnswersForm, CodeEntryForm, initial_from
from kortlaegning.models import Answer, Round
from kortlaegning.services import Grant, Refusal
from kortlaegning.views import round_for_user

logger = logging.getLogger(__name__)

SESSION_KEY = "kortlaegning"
STATUS = {Refusal.UNKNOWN: 404, Refusal.USED: 409, Refusal.NOT_OPEN: 403, Refusal.CLOSED: 410}
REASONS = (*STATUS, "no_grant")
FAILURE_WINDOW = 600  # refused secrets per address are counted over ten minutes
SECRET_WINDOW = 600


def _round(pk: int) -> Round:
    return get_object_or_404(Round.objects.select_related("unit"), pk=pk)


def _states(request: HttpRequest) -> dict:
    return request.session.setdefault(SESSION_KEY, {})


def _state(request: HttpRequest, round: Round) -> dict | None:
    return _states(request).get(str(round.pk))


def _save_state(request: HttpRequest, round: Round, state: dict) -> None:
    _states(request)[str(round.pk)] = state
    request.session.modified = True


def _refusal(request: HttpRequest, round: Round | None, reason: str) -> HttpResponse:
    response = render(
        request,
        "kortlaegning/answer_refused.html",
        {"round": round, "reason": reason},
        status=STATUS.get(reason, 400),
    )
    add_never_cache_headers(response)
    return response


def _start(request: HttpRequest, round: Round, grant: Grant) -> HttpResponse:
    if request.session.session_key:
        request.session.cycle_key()  # a fresh session id for the answering
    _save_state(request, round, {"grant": grant.as_dict(), "answers": {}, "comments": {}})
    return redirect("kortlaegning:answer_step", round.pk, 1)


def _address(request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


def _too_many_tries(request: HttpRequest, round_pk: int, kind: str, secret: str):
    """The 429 page if this address or this secret has been tried too often; else None.

    Counts the try on the secret (not on the address: a room shares one)."""
    address = _address(request)
    failures = rate_limit_count(scope="answer-failure", key=address, window=FAILURE_WINDOW)
    if failures >= settings.ANSWER_FAILURE_LIMIT:
        return too_many_requests(request, FAILURE_WINDOW)
    if kind == "open":  # everyone in the room shares the open link
        limit, window = settings.ANSWER_OPEN_LINK_LIMIT, 60
    else:
        limit, window = settings.ANSWER_SECRET_LIMIT, SECRET_WINDOW
    key = f"{round_pk}:{secret}"
    if not rate_limit_hit(scope=f"answer-{kind}", key=key, limit=limit, window=window):
        return too_many_requests(request, window)
    return None


def _count_failure(request: HttpRequest) -> None:
    rate_limit_hit(
        scope="answer-failure",
        key=_address(request),
        limit=settings.ANSWER_FAILURE_LIMIT,
        window=FAILURE_WINDOW,
    )


def _secret_in_url(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Whatever the page at a URL with a secret answers, it sends no Referer onwards."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


def _exchange(
    request: HttpRequest, pk: int, kind: str, secret: str, make_grant: Callable[[Round], Grant]
) -> HttpResponse:
    if kind == "code":
        secret = tokens.normalise_code(secret)
    refused = _too_many_tries(request, pk, kind, secret)
    if refused is not None:
        return refused
    round = Round.objects.select_related("unit").filter(pk=pk).first()
    try:
        if round is None:
            raise Refusal(Refusal.UNKNOWN)
        grant = make_grant(round)
    except Refusal as refusal:
        if refusal.reason == Refusal.UNKNOWN:
            _count_failure(request)
        # The refusal page lives at a URL without the secret.
        return redirect("kortlaegning:answer_refused", pk, refusal.reason)
    return _start(request, round, grant)


def _answer_limit() -> int:
    return settings.ANSWER_RATE_LIMIT


@_secret_in_url
@rate_limited("answer", limit=_answer_limit, window=60)
@require_http_methods(["GET"])
def answer_code(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The QR code's link."""
    return _exchange(
        request, pk, "code", token, lambda r: services.grant_for_code(round=r, code=token)
    )


@_secret_in_url
@rate_limited("answer", limit=_answer_limit, window=60)
@require_http_methods(["GET"])
def answer_invitation(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    return _exchange(
        request,
        pk,
        "invitation",
        token,
        lambda r: services.grant_for_invitation(round=r, token=token),
    )


@_secret_in_url
@rate_limited("answer", limit=_answer_limit, window=60)
@require_http_methods(["GET"])
def answer_open(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    return _exchange(
        request, pk, "open", token, lambda r: services.grant_for_open_link(round=r, token=token)
    )


@require_http_methods(["GET"])
def answer_refused(request: HttpRequest, pk: int, reason: str) -> HttpResponse:
    """Why a code or link was refused, at a URL without the secret."""
    if reason not in REASONS:
        raise Http404
    return _refusal(request, Round.objects.filter(pk=pk).first(), reason)


@rate_limited("answer", limit=_answer_limit, window=60)
@require_http_methods(["GET", "POST"])
def answer_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """Type the code from the slip."""
    round = _round(pk)
    form = CodeEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = tokens.normalise_code(form.cleaned_data["code"])
        refused = _too_many_tries(request, round.pk, "code", code)
        if refused is not None:
            return refused
        try:
            grant = services.grant_for_code(round=round, code=code)
        except Refusal as refusal:
            if refusal.reason in (Refusal.NOT_OPEN, Refusal.CLOSED):
                return _refusal(request, round, refusal.reason)
            if refusal.reason == Refusal.UNKNOWN:
                _count_failure(request)
            form.add_error("code", _refusal_text(refusal.reason))
        else:
            return _start(request, round, grant)
    return render(request, "kortlaegning/answer_entry.html", {"round": round, "form": form})


def _refusal_text(reason: str) -> str:
    if reason == Refusal.USED:
        return _("This code has already been used.")
    return _("We do not know this code for this mapping. Check it and try again.")


@login_required
@require_POST
def answer_as_leader(request: HttpRequest, pk: int) -> HttpResponse:
    round = selectors.rounds_for_leader(request.user).filter(pk=pk).first()
    if round is None:
        round_for_user(request.user, pk, Action.ANSWER_AS_LEADER)  # 404 outsider, 403 member
        raise Http404
    try:
        grant = services.grant_for_leader(round=round, user=request.user)
    except Refusal as refusal:
        return _refusal(request, round, refusal.reason)
    _save_state(request, round, {"grant": grant.as_dict(), "answers": {}, "comments": {}})
    return redirect("kortlaegning:answer_step", round.pk, 1)


def _valid_partial(form: AnswersForm) -> tuple[dict, dict]:
    """Whatever the respondent has validly answered on a step (for "back" without all answers)."""
    valid = set(Answer.Choice.values)
    answers, comments = {}, {}
    for level, pairs in form.levels:
        for question, _version in pairs:
            value = form.data.get(f"q{question.pk}")
            if value in valid:
                answers[str(question.pk)] = value
        text = (form.data.get(f"comment_{level}") or "").strip()
        if text:
            comments[level] = text[:1000]
    return answers, comments


@rate_limited("answer", limit=_answer_limit, window=60)
@require_http_methods(["GET", "POST"])
def answer_step(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    round = _round(pk)
    state = _state(request, round)
    if state is None:
        return _refusal(request, round, "no_grant")
    if state.get("done"):
        return redirect("kortlaegning:answer_done", round.pk)
    try:
        grant = Grant.from_dict(state["grant"])
        if not isinstance(state["answers"], dict) or not isinstance(state["comments"], dict):
            raise TypeError
    except (KeyError, TypeError):  # a damaged session, or one from an older version
        return _refusal(request, round, "no_grant")
    try:
        services.round_check_answerable(round)
    except Refusal as refusal:
        return _refusal(request, round, refusal.reason)
    levels = selectors.questions_by_level(
        selectors.round_questions(round), round.levels_for(grant.group)
    )
    if not levels:
        return _refusal(request, round, Refusal.UNKNOWN)
    if not 1 <= step <= len(levels):
        return redirect("kortlaegning:answer_step", round.pk, 1)
    status = 200
    level_form = AnswersForm(
        request.POST if request.method == "POST" else None,
        levels=[levels[step - 1]],
        initial=initial_from(state["answers"], state["comments"]),
    )
    if request.method == "POST":
        if "back" in request.POST:
            answers, comments = _valid_partial(level_form)
            _remember(request, round, state, answers, comments, level_form.levels[0][0])
            return redirect("kortlaegning:answer_step", round.pk, max(step - 1, 1))
        if level_form.is_valid():
            _remember(
                request,
                round,
                state,
                level_form.answers(),
                level_form.comments(),
                levels[step - 1][0],
            )
            if step < len(levels):
                return redirect("kortlaegning:answer_step", round.pk, step + 1)
            submitted = _submit(request, round, grant, state, levels)
            if submitted is not None:
                return submitted
            # The database could not be reached: the answers stay in the form, the code unused.
            request.session.modified = False
            status = 503
    context = {
        "round": round,
        "form": level_form,
        "level": levels[step - 1][0],
        "step": step,
        "steps": len(levels),
        "step_levels": [level for level, _ in levels],
        "is_last": step == len(levels),
        "save_failed": status == 503,
    }
    response = render(request, "kortlaegning/answer_step.html", context, status=status)
    add_never_cache_headers(response)
    return response


def _remember(request, round, state, answers: dict, comments: dict, level: str) -> None:
    state["answers"].update(answers)
    state["comments"].pop(level, None)
    state["comments"].update(comments)
    _save_state(request, round, state)


def _submit(request, round: Round, grant: Grant, state: dict, levels) -> HttpResponse | None:
    """Store the response; None when the database failed (nothing was stored, nothing used)."""
    questions = {q.pk: level for level, pairs in levels for q, _v in pairs}
    try:
        services.response_submit(
            round=round,
            grant=grant,
            answers=state["answers"],
            comments=state["comments"],
            questions=questions,
        )
    except DatabaseError:
        logger.warning("An answer could not be stored: database error", exc_info=True)
        return None
    except Refusal as refusal:
        return _refusal(request, round, refusal.reason)
    except ValidationError:
        # Something from an earlier step is missing (e.g. a stale session): go back there.
        missing = _first_incomplete(levels, state["answers"])
        return redirect("kortlaegning:answer_step", round.pk, missing)
    _save_state(request, round, {"done": True})
    return redirect("kortlaegning:answer_done", round.pk)


def _first_incomplete(levels, answers: dict) -> int:
    for index, (_level, pairs) in enumerate(levels, start=1):
        if any(str(q.pk) not in answers for q, _v in pairs):
            return index
    return 1


@require_http_methods(["GET"])
def answer_done(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(pk)
    return render(request, "kortlaegning/answer_done.html", {"round": round})
