"""Pages for respondents: exchange a code or link for a session, answer level by level, submit once.

The secret is only ever in the first URL (or the typed code). It is exchanged for a grant kept in
the session and the browser is redirected to URLs without it, a refusal included; the response at
the secret URL carries ``Referrer-Policy: no-referrer``. Answers given so far are kept in the
session until the last step stores the response, uses up the ticket and marks the session done in
one transaction: a stored response and a "done" session are one outcome, so a retry after a lost
connection either stores once or finds the session done.

The views write the session themselves (``_session_write``), so a database that cannot be reached
is answered here, with the step's answers still in the form and the code unused (503, "try
again"), instead of failing in the session middleware afterwards. A failure before the view runs
(the session cannot even be read) reaches the project's error handler, which asks
``answer_step.database_unavailable`` for the same page.

Statements per request (the floor, and why; pinned in tests/kortlaegning/test_answer_limits.py):

- exchanging a code: the address's failure count (a read), the code's try counter (one upsert),
  the round, the code, and creating the session (exists check + INSERT) — the code itself is not
  used until the submit;
- a step: reading the session, the address counter (one upsert), the round (its status decides
  whether answers are still taken); a POST adds the session UPDATE that keeps the answers. The
  round's questions are read once per worker process (they are frozen when the round opens);
- the final submit (PostgreSQL, a code or an invitation): reading the session, then ONE
  statement: the address counter's upsert (the request is counted whatever the outcome; over
  the limit nothing is stored and the page is the 429), under a share lock on the round's row
  the round's status and dates (so the round is not read first: the process's copy from the
  first step gives its levels and questions, which are frozen when it opens), the code's
  conditional UPDATE (its single use), and only if all pass the response INSERT, all answers,
  the comments and the session UPDATE marking it done — atomic by itself, so no BEGIN/COMMIT
  round trips (``services.response_submit``). The statement and the session read are prepared
  once per connection (``amg_portal.prepared``). The step's answers are checked without
  building the form (``forms.valid_step``); the form is built only to show what is missing.
  Open links, leaders and SQLite read the round and take one transaction of the same writes,
  counted first by a statement of their own. Each database connection counts in its own row of
  the address's counter (``amg_portal.ratelimit``), so requests behind one address never wait
  for each other's submit to commit.

Tries are limited by what is tried, not only by address (docs/security.md, "A room behind one
address"): each code or link has its own counter, and refused secrets count against the address.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import get_script_prefix, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amg_portal.clientip import client_ip
from amg_portal.organisation.access import Action
from amg_portal.ratelimit import (
    Count,
    rate_limit_count,
    rate_limit_count_later,
    rate_limit_hit,
    rate_limited,
    too_many_requests,
)
from kortlaegning import selectors, services, tokens
from kortlaegning.forms import AnswersForm, CodeEntryForm, initial_from, valid_step
from kortlaegning.models import Choice, Response, Round
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


# An opened round's questions never change (they are frozen at the first opening), so each worker
# process reads them once per round. Keyed by the opening time too: a test database that reuses a
# round id is a different round. The round is kept for the "try again" page alone.
_FROZEN: dict[tuple[int, object], tuple[Round, list]] = {}
_FROZEN_MAX = 32
_FROZEN_LOCK = threading.Lock()


def _questions(round: Round) -> list:
    """The round's (question, version) pairs; read once per process for an opened round."""
    if round.opened_at is None:
        return selectors.round_questions(round)
    key = (round.pk, round.opened_at)
    found = _FROZEN.get(key)
    if found is None:
        found = _keep(_FROZEN, key, (round, selectors.round_questions(round)), _FROZEN_MAX)
    return found[1]


def _keep(cache: dict, key, value, limit: int):
    """Keep ``value`` under ``key`` in one of this module's per-process caches, the oldest
    entries dropped beyond ``limit``."""
    with _FROZEN_LOCK:
        while len(cache) >= limit:
            cache.pop(next(iter(cache)))
        cache[key] = value
    return value


# The levels a group answers in an opened round, and the round's questions on them (id → level):
# frozen with the questions, so built once per process, not on every final POST.
_LEVELS: dict[tuple[int, object, str], tuple[list, dict[int, str]]] = {}


def _levels_known(round: Round, pairs: list, group: str) -> tuple[list, dict[int, str]]:
    key = (round.pk, round.opened_at, group)
    found = _LEVELS.get(key)
    if found is None:
        levels = selectors.questions_by_level(pairs, round.levels_for(group))
        found = _keep(_LEVELS, key, (levels, _question_levels(levels)), 2 * _FROZEN_MAX)
    return found


# The thanks page's address per script prefix and round. Reversing it took about a tenth of the
# final submit's own Python time (measured in bench/submit_profile.py); it never changes.
_DONE_URLS: dict[tuple[str, int], str] = {}


def _to_thanks(pk: int) -> HttpResponseRedirect:
    """The redirect to round ``pk``'s thanks page."""
    key = (get_script_prefix(), pk)
    url = _DONE_URLS.get(key)
    if url is None:
        url = _keep(
            _DONE_URLS, key, reverse("kortlaegning:answer_done", args=[pk]), 4 * _FROZEN_MAX
        )
    return HttpResponseRedirect(url)


def _question_levels(levels: list) -> dict[int, str]:
    """Question id → its level, from ``selectors.questions_by_level``'s list."""
    return {q.pk: level for level, pairs in levels for q, _v in pairs}


def _known_round(pk: int) -> tuple[Round, list] | None:
    """A round and its questions as this process last read them (no database)."""
    with _FROZEN_LOCK:
        known = [value for key, value in _FROZEN.items() if key[0] == pk]
    return known[-1] if known else None


def _session_write(request: HttpRequest) -> None:
    """Write the session now: one UPDATE, inside the caller's transaction when there is one.

    Django's own save wraps its UPDATE in a transaction (a savepoint inside ours) and, later in
    the middleware, turns a lost database connection into "session interrupted" (400). Written
    here, a failure is the view's to answer, and nothing is left for the middleware to write."""
    session = request.session
    if session.session_key is None or not _database_session(session):
        return  # a new session (or another engine): the middleware writes it and sets the cookie
    session.create_model_instance(dict(session.items())).save(force_update=True)
    session.modified = False


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
    # Written by the session middleware (which sets the cookie); if the database fails there,
    # the error handler answers with ``_exchange_unavailable``.
    _save_state(request, round, {"grant": grant.as_dict(), "answers": {}, "comments": {}})
    return redirect("kortlaegning:answer_step", round.pk, 1)


def _unavailable(request: HttpRequest, context: dict | None = None) -> HttpResponse:
    """503 "try again" (the code is unused); with ``context``, the step's form as it was sent."""
    if hasattr(request, "session"):
        request.session.modified = False  # nothing for the middleware to write either
    if context is None:
        response = render(request, "kortlaegning/answer_unavailable.html", status=503)
    else:
        context |= {"save_failed": True, "base_template": "kortlaegning/_answer_offline_base.html"}
        response = render(request, "kortlaegning/answer_step.html", context, status=503)
    response["Retry-After"] = "5"
    response["Referrer-Policy"] = "no-referrer"  # it may answer at a URL with a secret
    add_never_cache_headers(response)
    return response


def _exchange_unavailable(request: HttpRequest, pk: int, **_kwargs) -> HttpResponse:
    """The database could not be reached while a code or link was exchanged: 503 "try again"."""
    return _unavailable(request)


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


answer_code.database_unavailable = _exchange_unavailable
answer_invitation.database_unavailable = _exchange_unavailable
answer_open.database_unavailable = _exchange_unavailable


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


answer_entry.database_unavailable = _exchange_unavailable


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
    valid = set(Choice.values)
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


def _step_context(round: Round, form: AnswersForm, levels: list, step: int) -> dict:
    return {
        "round": round,
        "form": form,
        "level": levels[step - 1][0],
        "step": step,
        "steps": len(levels),
        "step_levels": [level for level, _ in levels],
        "is_last": step == len(levels),
    }


def answer_step_unavailable(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    """The database could not be reached: 503 "try again", the step's form as it was sent.

    Needs no database: the round and its questions as this process last read them. Which
    group's steps these are is told by the questions that were posted."""
    known = _known_round(pk)
    if request.method != "POST" or known is None:
        return _unavailable(request)
    round, pairs = known
    posted = {key for key in request.POST if key.startswith("q")}
    candidates = []
    for group in (Response.Group.EMPLOYEES, Response.Group.LEADERSHIP):
        levels = selectors.questions_by_level(pairs, round.levels_for(group))
        if 1 <= step <= len(levels):
            names = {f"q{question.pk}" for question, _v in levels[step - 1][1]}
            candidates.append((bool(names & posted), levels))
    if not candidates:
        return _unavailable(request)
    levels = max(candidates, key=lambda candidate: candidate[0])[1]
    form = AnswersForm(request.POST, levels=[levels[step - 1]])
    return _unavailable(request, _step_context(round, form, levels, step))


def _answers_kept(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A database failure anywhere in the step (the counter, the round, the session) is answered
    with the step's answers still in the form; the project's error handler does the same for a
    failure before the view (``database_unavailable``)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, pk: int, step: int) -> HttpResponse:
        try:
            return view(request, pk, step)
        except DatabaseError:
            logger.warning("An answer step failed: database error", exc_info=True)
            return answer_step_unavailable(request, pk, step)

    wrapped.database_unavailable = answer_step_unavailable
    return wrapped


@_answers_kept
def answer_step(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    """A step of the answer. The last step's valid POST of a code or invitation counts the
    request in the statement that stores the response (``_submit_known``); every other request
    is counted first, by its own statement (``_answer_step``)."""
    submitted = _submit_known(request, pk, step)
    if submitted is not None:
        return submitted
    return _answer_step(request, pk, step)


@rate_limited("answer", limit=_answer_limit, window=60)
@require_http_methods(["GET", "POST"])
def _answer_step(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    round = _round(pk)
    state = _state(request, round)
    if state is None:
        return _refusal(request, round, "no_grant")
    if state.get("done"):
        return _to_thanks(round.pk)
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
    levels = selectors.questions_by_level(_questions(round), round.levels_for(grant.group))
    if not levels:
        return _refusal(request, round, Refusal.UNKNOWN)
    if not 1 <= step <= len(levels):
        return redirect("kortlaegning:answer_step", round.pk, 1)
    level_form = AnswersForm(
        request.POST if request.method == "POST" else None,
        levels=[levels[step - 1]],
        initial=initial_from(state["answers"], state["comments"]),
    )
    context = _step_context(round, level_form, levels, step)
    if request.method == "POST":
        level = levels[step - 1][0]
        if "back" in request.POST:
            _remember(request, round, state, *_valid_partial(level_form), level)
            _session_write(request)
            return redirect("kortlaegning:answer_step", round.pk, max(step - 1, 1))
        if level_form.is_valid():
            _remember(request, round, state, level_form.answers(), level_form.comments(), level)
            if step < len(levels):
                _session_write(request)
                return redirect("kortlaegning:answer_step", round.pk, step + 1)
            return _submit(request, round, grant, state, levels, lambda: context)
    response = render(request, "kortlaegning/answer_step.html", context)
    add_never_cache_headers(response)
    return response


def _submit_known(request: HttpRequest, pk: int, step: int) -> HttpResponse | None:
    """The last step's valid POST for a code or invitation, stored without reading the round.

    The round and its questions are as this process read them when it first served the round
    (its levels and questions are frozen when it opens); the one statement of
    ``services.response_submit`` checks under a lock that the round still takes answers and
    says why not otherwise. None when this is not such a POST (another step, "back", a missing
    or invalid answer, another grant, a round this process has not read): the full step then
    reads the round, and its form shows what is wrong."""
    if request.method != "POST" or "back" in request.POST:
        return None
    known = _known_round(pk)
    state = _states(request).get(str(pk))
    if known is None or not isinstance(state, dict) or state.get("done"):
        return None
    round, pairs = known
    try:
        grant = Grant.from_dict(state["grant"])
        if not isinstance(state["answers"], dict) or not isinstance(state["comments"], dict):
            return None
    except (KeyError, TypeError):
        return None
    if not services.submits_at_once(grant):
        return None
    levels, questions = _levels_known(round, pairs, grant.group)
    if not levels or step != len(levels):
        return None
    level, level_pairs = levels[-1]
    given = valid_step(request.POST, level, level_pairs)
    if given is None:
        return None
    before = dict(state["answers"]), dict(state["comments"])  # for the "try again" page
    _remember(request, round, state, *given, level)

    def context() -> dict:  # only for the "try again" page
        form = AnswersForm(request.POST, levels=[levels[-1]], initial=initial_from(*before))
        return _step_context(round, form, levels, step)

    count = rate_limit_count_later(
        scope="answer", key=_address(request), limit=_answer_limit(), window=60
    )
    return _submit(request, round, grant, state, levels, context, count, questions)


def _remember(request, round, state, answers: dict, comments: dict, level: str) -> None:
    state["answers"].update(answers)
    state["comments"].pop(level, None)
    state["comments"].update(comments)
    _save_state(request, round, state)


def _submit(
    request,
    round: Round,
    grant: Grant,
    state: dict,
    levels,
    context: Callable[[], dict],
    count: Count | None = None,
    questions: dict[int, str] | None = None,
) -> HttpResponse:
    """Store the response and mark the session done in one statement (or transaction).

    ``count``: the request's address count, not yet counted (counted by the statement).
    If the database fails, nothing was stored and the code is unused: the step again, its
    answers in the form (503)."""
    if questions is None:
        questions = _question_levels(levels)
    try:
        services.response_submit(
            round=round,
            grant=grant,
            answers=state["answers"],
            comments=state["comments"],
            questions=questions,
            session=_done_mark(request, round),
            count=count,
        )
    except services.RateLimited as limited:
        return too_many_requests(request, limited.window)
    except DatabaseError:
        logger.warning("An answer could not be stored: database error", exc_info=True)
        return _unavailable(request, context())
    except Refusal as refusal:
        return _refusal(request, round, refusal.reason)
    except ValidationError:
        # Something from an earlier step is missing (e.g. a stale session): go back there.
        _session_write(request)
        missing = _first_incomplete(levels, state["answers"])
        return redirect("kortlaegning:answer_step", round.pk, missing)
    _save_state(request, round, {"done": True})
    if request.session.session_key is not None and _database_session(request.session):
        request.session.modified = False  # written with the response
    return _to_thanks(round.pk)


def _database_session(session) -> bool:
    return hasattr(session, "create_model_instance")


def _done_mark(request: HttpRequest, round: Round) -> services.SessionMark | None:
    """The session as it will be once this round is answered: done, the answers gone."""
    session = request.session
    if session.session_key is None or not _database_session(session):
        return None  # the middleware writes it afterwards
    data = dict(session.items())
    data[SESSION_KEY] = {**data.get(SESSION_KEY, {}), str(round.pk): {"done": True}}
    return services.SessionMark(
        key=session.session_key, data=session.encode(data), expires=session.get_expiry_date()
    )


def _first_incomplete(levels, answers: dict) -> int:
    for index, (_level, pairs) in enumerate(levels, start=1):
        if any(str(q.pk) not in answers for q, _v in pairs):
            return index
    return 1


@require_http_methods(["GET"])
def answer_done(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(pk)
    return render(request, "kortlaegning/answer_done.html", {"round": round})
