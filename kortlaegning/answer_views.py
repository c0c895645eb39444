"""Pages for respondents: exchange a code or link for a session, answer level by level, submit once.

The secret is only ever in the first URL (or the typed code). It is exchanged for a grant kept in
the session and the browser is redirected to URLs without it. Answers given so far are kept in the
session until the last step stores the response and uses up the ticket in one transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amg_portal.organisation.access import Action
from amg_portal.ratelimit import rate_limited
from kortlaegning import selectors, services
from kortlaegning.forms import AnswersForm, CodeEntryForm, initial_from
from kortlaegning.models import Answer, Round
from kortlaegning.services import Grant, Refusal
from kortlaegning.views import round_for_user

SESSION_KEY = "kortlaegning"
STATUS = {Refusal.UNKNOWN: 404, Refusal.USED: 409, Refusal.NOT_OPEN: 403, Refusal.CLOSED: 410}


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
    request.session.cycle_key()  # a fresh session id for the answering
    _save_state(request, round, {"grant": grant.as_dict(), "answers": {}, "comments": {}})
    return redirect("kortlaegning:answer_step", round.pk, 1)


def _exchange(request: HttpRequest, pk: int, make_grant) -> HttpResponse:
    round = _round(pk)
    try:
        grant = make_grant(round)
    except Refusal as refusal:
        return _refusal(request, round, refusal.reason)
    return _start(request, round, grant)


@rate_limited("answer", limit=lambda: settings.ANSWER_RATE_LIMIT, window=60)
@require_http_methods(["GET"])
def answer_code(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The QR code's link."""
    return _exchange(request, pk, lambda r: services.grant_for_code(round=r, code=token))


@rate_limited("answer", limit=lambda: settings.ANSWER_RATE_LIMIT, window=60)
@require_http_methods(["GET"])
def answer_invitation(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    return _exchange(request, pk, lambda r: services.grant_for_invitation(round=r, token=token))


@rate_limited("answer", limit=lambda: settings.ANSWER_RATE_LIMIT, window=60)
@require_http_methods(["GET"])
def answer_open(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    return _exchange(request, pk, lambda r: services.grant_for_open_link(round=r, token=token))


@rate_limited("answer", limit=lambda: settings.ANSWER_RATE_LIMIT, window=60)
@require_http_methods(["GET", "POST"])
def answer_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """Type the code from the slip."""
    round = _round(pk)
    form = CodeEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.grant_for_code(round=round, code=form.cleaned_data["code"])
        except Refusal as refusal:
            if refusal.reason in (Refusal.NOT_OPEN, Refusal.CLOSED):
                return _refusal(request, round, refusal.reason)
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


@rate_limited("answer", limit=lambda: settings.ANSWER_RATE_LIMIT, window=60)
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
            return _submit(request, round, grant, state, levels)
    context = {
        "round": round,
        "form": level_form,
        "level": levels[step - 1][0],
        "step": step,
        "steps": len(levels),
        "step_levels": [level for level, _ in levels],
        "is_last": step == len(levels),
    }
    response = render(request, "kortlaegning/answer_step.html", context)
    add_never_cache_headers(response)
    return response


def _remember(request, round, state, answers: dict, comments: dict, level: str) -> None:
    state["answers"].update(answers)
    state["comments"].pop(level, None)
    state["comments"].update(comments)
    _save_state(request, round, state)


def _submit(request, round: Round, grant: Grant, state: dict, levels) -> HttpResponse:
    try:
        services.response_submit(
            round=round, grant=grant, answers=state["answers"], comments=state["comments"]
        )
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
