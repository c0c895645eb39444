"""Domain operations of the APV cycle. Writes only; reads live in ``selectors.py``.

Every change to an assessment or a measure is written to ``ChangeLog`` here (not in signals), so
the §26 history is complete whichever page or app made the change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from amg_portal.domain import Level, Prevention
from amg_portal.editing import EditConflict, update_if_unchanged
from amg_portal.organisation.models import Role, Unit, User
from amg_portal.organisation.selectors import memberships_around
from handlingsplan import pdf as apv_pdf
from handlingsplan.models import (
    ASSESSMENT_FIELDS,
    MEASURE_FIELDS,
    AbsenceFigure,
    ApvVersion,
    Assessment,
    CalendarToken,
    ChangeLog,
    ConversationNote,
    Cycle,
    Evaluation,
    FollowUp,
    Measure,
    Milestone,
    RiskFactor,
    StatusMeeting,
)

# --- helpers -------------------------------------------------------------------------------------


def _apv_changed(cycle_id: int | None) -> None:
    """What the cycle's written APV shows changed: its next version. Called inside the change's
    transaction, so a reader sees the new plan and the new number together (handlingsplan.pdf
    serves a stored PDF only for the number it read before loading the plan). The new version's
    PDF is queued to be rendered before anyone clicks (``handlingsplan.pdf.queue_render``)."""
    if cycle_id is None:
        return
    versions = ApvVersion.objects.filter(cycle_id=cycle_id)
    if not versions.update(number=F("number") + 1):
        try:
            with transaction.atomic():
                ApvVersion.objects.create(cycle_id=cycle_id, number=2)  # no row was version 1
        except IntegrityError:  # created meanwhile by a concurrent change: count this one too
            versions.update(number=F("number") + 1)
    apv_pdf.queue_render(cycle_id)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dt.date | Decimal | int | bool):
        return str(value)
    if hasattr(value, "pk"):
        return str(value)
    return str(value)


def _log_changes(
    *, user: User, before: dict[str, Any], after: dict[str, Any], **subject: Any
) -> None:
    ChangeLog.objects.bulk_create(
        ChangeLog(user=user, field=name, old=_text(before.get(name)), new=_text(value), **subject)
        for name, value in after.items()
        if before.get(name) != value
    )


def is_in_unit(*, user: User, unit: Unit) -> bool:
    """Does ``user`` hold a role on ``unit``, above it, or in its subtree (or coordinate)?"""
    return user.coordinates or memberships_around(unit).filter(user=user).exists()


def names_in(text: str, unit: Unit) -> list[str]:
    """Full names of the unit's people that occur in ``text`` (a guard, not a guarantee)."""
    lowered = " ".join(text.lower().split())
    people = memberships_around(unit).values_list("user__first_name", "user__last_name")
    found = {
        f"{first} {last}"
        for first, last in people
        if first and last and f"{first} {last}".lower() in lowered
    }
    return sorted(found)


def current_cycle(unit: Unit) -> Cycle | None:
    """The unit's cycle whose period covers today, else its latest."""
    today = timezone.localdate()
    cycles = Cycle.objects.filter(unit=unit)
    return (
        cycles.filter(period_start__lte=today, period_end__gte=today)
        .order_by("-period_start")
        .first()
        or cycles.order_by("-period_start").first()
    )


# --- step 0: the cycle ---------------------------------------------------------------------------


@transaction.atomic
def cycle_create(
    *,
    unit: Unit,
    created_by: User,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    guidelines: str = "",
) -> Cycle:
    """Start an APV cycle for ``unit``; measures without a cycle join it."""
    if period_end <= period_start:
        raise ValidationError({"period_end": _("The period must end after it starts.")})
    if Cycle.objects.filter(
        unit=unit, period_start__lt=period_end, period_end__gt=period_start
    ).exists():
        raise ValidationError(
            {"period_start": _("The unit already has an APV cycle overlapping this period.")}
        )
    cycle = Cycle.objects.create(
        unit=unit,
        created_by=created_by,
        title=title.strip(),
        period_start=period_start,
        period_end=period_end,
        guidelines=guidelines,
    )
    Measure.objects.filter(unit=unit, cycle__isnull=True).update(cycle=cycle)
    return cycle


@transaction.atomic
def cycle_set_step(*, cycle: Cycle, step: int) -> Cycle:
    """Move the cycle to another of its four steps."""
    if step not in Cycle.Step.values:
        raise ValidationError(_("Unknown step."))
    cycle.step = step
    cycle.save(update_fields=["step"])
    _apv_changed(cycle.pk)
    return cycle


@transaction.atomic
def cycle_update_guidelines(*, cycle: Cycle, guidelines: str) -> Cycle:
    """Write the cycle's guidelines for follow-up (APV part 5)."""
    cycle.guidelines = guidelines
    cycle.save(update_fields=["guidelines"])
    _apv_changed(cycle.pk)
    return cycle


# --- step 1: the risk picture --------------------------------------------------------------------


@transaction.atomic
def risk_factor_create(*, cycle: Cycle, created_by: User, title: str, **fields: Any) -> RiskFactor:
    """Add a risk factor to the cycle's risk picture."""
    if not title.strip():
        raise ValidationError({"title": _("Give the risk factor a name.")})
    position = fields.pop("position", None) or (cycle.risk_factors.count() + 1)
    _apv_changed(cycle.pk)
    return RiskFactor.objects.create(
        cycle=cycle, created_by=created_by, title=title.strip(), position=position, **fields
    )


@transaction.atomic
def risk_factor_update(*, risk_factor: RiskFactor, **fields: Any) -> RiskFactor:
    """Change a risk factor's description and sources."""
    for name, value in fields.items():
        setattr(risk_factor, name, value)
    risk_factor.save()
    _apv_changed(risk_factor.cycle_id)
    return risk_factor


@transaction.atomic
def absence_figure_add(
    *,
    cycle: Cycle,
    created_by: User,
    period_start: dt.date,
    period_end: dt.date,
    sick_days_per_fte: Decimal,
    stress_sick_leaves: int,
) -> AbsenceFigure:
    """Record aggregated sickness absence of the unit for a period (numbers only)."""
    errors: dict[str, str] = {}
    if period_end <= period_start:
        errors["period_end"] = _("The period must end after it starts.")
    elif (period_end - period_start).days > 366:
        errors["period_end"] = _("A period can be at most one year.")
    if not Decimal(0) <= sick_days_per_fte <= Decimal(366):
        errors["sick_days_per_fte"] = _("Sick days per full-time employee must be 0–366.")
    if stress_sick_leaves < 0:
        errors["stress_sick_leaves"] = _("The number cannot be negative.")
    if errors:
        raise ValidationError(errors)
    _apv_changed(cycle.pk)
    return AbsenceFigure.objects.create(
        cycle=cycle,
        created_by=created_by,
        period_start=period_start,
        period_end=period_end,
        sick_days_per_fte=sick_days_per_fte,
        stress_sick_leaves=stress_sick_leaves,
    )


def conversation_note_add(
    *,
    cycle: Cycle,
    author: User,
    held_on: dt.date,
    summary: str,
    risk_factor: RiskFactor | None = None,
) -> ConversationNote:
    """Record a summary of conversations with employees (confidential)."""
    if risk_factor is not None and risk_factor.cycle_id != cycle.pk:
        raise ValidationError({"risk_factor": _("That risk factor belongs to another cycle.")})
    if not summary.strip():
        raise ValidationError({"summary": _("Write a summary.")})
    named = names_in(summary, cycle.unit)
    if named:
        raise ValidationError(
            {
                "summary": _("Remove the names from the summary: %(names)s")
                % {"names": ", ".join(named)}
            }
        )
    return ConversationNote.objects.create(
        cycle=cycle,
        author=author,
        held_on=held_on,
        summary=summary.strip(),
        risk_factor=risk_factor,
    )


# --- step 2: assessments -------------------------------------------------------------------------


@transaction.atomic
def assessment_save(
    *, risk_factor: RiskFactor, user: User, version: int | None, **fields: Any
) -> Assessment:
    """Create or update the assessment of a risk factor, refusing to overwrite a newer save."""
    if fields.get("decision") and not str(fields.get("reason", "")).strip():
        raise ValidationError({"reason": _("Give a reason for the decision.")})
    values = {name: fields[name] for name in ASSESSMENT_FIELDS if name in fields}
    now = timezone.now()
    existing = Assessment.objects.select_for_update().filter(risk_factor=risk_factor).first()
    if existing is None:
        if version not in (None, 0):
            raise ValidationError(_("The assessment was deleted meanwhile."))
        try:
            with transaction.atomic():
                assessment = Assessment.objects.create(
                    risk_factor=risk_factor, assessed_by=user, assessed_at=now, **values
                )
        except IntegrityError:
            current = Assessment.objects.get(risk_factor=risk_factor)
            raise EditConflict(_conflict_message(), current=current) from None
        _log_changes(user=user, before={}, after=values, assessment=assessment)
        _apv_changed(risk_factor.cycle_id)
        return assessment
    before = {name: getattr(existing, name) for name in ASSESSMENT_FIELDS}
    if not update_if_unchanged(
        existing, version=version, **values, assessed_by=user, assessed_at=now
    ):
        raise EditConflict(_conflict_message(), current=existing)
    _log_changes(user=user, before=before, after=values, assessment=existing)
    _apv_changed(risk_factor.cycle_id)
    existing.refresh_from_db()
    return existing


def _conflict_message() -> str:
    return _(
        "Someone else saved a change while you were editing. Your text is kept below next to "
        "the saved version: compare them and save again."
    )


# --- step 3: measures ----------------------------------------------------------------------------


def _check_measure(unit: Unit, values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    start, deadline = values.get("start"), values.get("deadline")
    if start and deadline and deadline < start:
        errors["deadline"] = _("The deadline cannot be before the start.")
    responsible = values.get("responsible")
    if responsible is not None and not is_in_unit(user=responsible, unit=unit):
        errors["responsible"] = _("The responsible person must belong to the unit.")
    risk_factor = values.get("risk_factor")
    if risk_factor is not None and risk_factor.cycle.unit_id != unit.pk:
        errors["risk_factor"] = _("That risk factor belongs to another unit's APV.")
    bad_roles = set(values.get("roles") or []) - set(Role.values)
    if bad_roles:
        errors["roles"] = _("Unknown role.")
    if not str(values.get("title", "x")).strip():
        errors["title"] = _("Give the measure a title.")
    if "priority" in values and (values["priority"] or 0) < 1:
        errors["priority"] = _("The priority is a number from 1 (first).")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def measure_create(
    *,
    unit: Unit,
    created_by: User,
    title: str,
    goal: str = "",
    description: str = "",
    responsible: User | None = None,
    roles: Iterable[str] = (),
    start: dt.date | None = None,
    deadline: dt.date | None = None,
    prevention: str = Prevention.PRIMARY,
    level: str = Level.GROUP,
    priority: int = 1,
    status: str = Measure.Status.PLANNED,
    is_trial: bool = False,
    source_kind: str = Measure.Source.OTHER,
    risk_factor: RiskFactor | None = None,
    cycle: Cycle | None = None,
    follow_ups: Iterable[dt.date] = (),
    **source: Any,
) -> Measure:
    """Add a tiltag to the unit's action plan (also called by sten_i_skoen for case actions)."""
    values = {
        "title": title.strip(),
        "goal": goal,
        "description": description,
        "responsible": responsible,
        "roles": sorted(set(roles)),
        "start": start,
        "deadline": deadline,
        "prevention": prevention,
        "level": level,
        "priority": priority,
        "status": status,
        "is_trial": is_trial,
        "risk_factor": risk_factor,
    }
    _check_measure(unit, values)
    if cycle is not None and cycle.unit_id != unit.pk:
        raise ValidationError(_("A measure can only be added to its own unit's action plan."))
    if source_kind not in Measure.Source.values:
        raise ValidationError({"source_kind": _("Unknown source.")})
    source = _checked_source(unit, source)
    measure = Measure.objects.create(
        unit=unit,
        cycle=cycle or current_cycle(unit),
        created_by=created_by,
        source_kind=source_kind,
        **values,
        **source,
    )
    for due_on in sorted(set(follow_ups)):
        follow_up_add(measure=measure, due_on=due_on, user=created_by)
    ChangeLog.objects.create(measure=measure, user=created_by, field="created", new=measure.title)
    _apv_changed(measure.cycle_id)
    return measure


def _checked_source(unit: Unit, source: dict[str, Any]) -> dict[str, Any]:
    """Validate the optional round/question source (kortlægning) against the unit."""
    allowed = {"source_round", "source_question"}
    unknown = set(source) - allowed
    if unknown:
        raise TypeError(f"measure_create got unexpected arguments: {sorted(unknown)}")
    round_ = source.get("source_round")
    if round_ is not None and not round_.unit.path.startswith(unit.path):
        raise ValidationError(_("That mapping round belongs to another unit."))
    return {name: value for name, value in source.items() if value is not None}


def measure_create_for_case(*, unit: Unit, created_by: User, **fields: Any) -> Measure:
    """Add a tiltag agreed in a sten-i-skoen case: sten_i_skoen's one way into the action plan."""
    return measure_create(
        unit=unit, created_by=created_by, source_kind=Measure.Source.CASE_ACTION, **fields
    )


@transaction.atomic
def measure_update(*, measure: Measure, user: User, version: int, **fields: Any) -> Measure:
    """Save changes to a tiltag unless someone saved in between (optimistic locking)."""
    values = {name: fields[name] for name in MEASURE_FIELDS if name in fields}
    if "roles" in values:
        values["roles"] = sorted(set(values["roles"]))
    if "title" in values:
        values["title"] = values["title"].strip()
    current = Measure.objects.select_for_update().get(pk=measure.pk)
    merged = {name: getattr(current, name) for name in ("start", "deadline")} | values
    _check_measure(current.unit, merged)
    if values.get("deadline"):
        late = current.milestones.filter(due_on__gt=values["deadline"]).first()
        if late is not None:
            raise ValidationError(
                {
                    "deadline": _("The milestone “%(title)s” lies after this deadline.")
                    % {"title": late.title}
                }
            )
    before = {name: getattr(current, name) for name in values}
    if not update_if_unchanged(current, version=version, **values, updated_at=timezone.now()):
        raise EditConflict(_conflict_message(), current=current)
    _log_changes(user=user, before=before, after=values, measure=current)
    _apv_changed(current.cycle_id)
    current.refresh_from_db()
    return current


@transaction.atomic
def milestone_add(*, measure: Measure, title: str, due_on: dt.date, user: User) -> Milestone:
    """Add a delmål; it must lie within the measure's schedule."""
    if measure.deadline and due_on > measure.deadline:
        raise ValidationError({"due_on": _("A milestone cannot lie after the measure's deadline.")})
    if measure.start and due_on < measure.start:
        raise ValidationError({"due_on": _("A milestone cannot lie before the measure starts.")})
    if not title.strip():
        raise ValidationError({"title": _("Give the milestone a title.")})
    milestone = Milestone.objects.create(measure=measure, title=title.strip(), due_on=due_on)
    ChangeLog.objects.create(
        measure=measure, user=user, field="milestone", new=f"{milestone.title} ({due_on})"
    )
    _apv_changed(measure.cycle_id)
    return milestone


@transaction.atomic
def milestone_set_done(*, milestone: Milestone, done: bool, user: User) -> Milestone:
    """Mark a milestone as reached (or not)."""
    old = milestone.done_on
    milestone.done_on = timezone.localdate() if done else None
    milestone.save(update_fields=["done_on"])
    ChangeLog.objects.create(
        measure=milestone.measure,
        user=user,
        field="milestone_done",
        old=f"{milestone.title}: {old or '–'}",
        new=f"{milestone.title}: {milestone.done_on or '–'}",
    )
    _apv_changed(milestone.measure.cycle_id)
    return milestone


@transaction.atomic
def follow_up_add(*, measure: Measure, due_on: dt.date, user: User) -> FollowUp:
    """Plan a follow-up date for a measure."""
    if measure.start and due_on < measure.start:
        raise ValidationError({"due_on": _("A follow-up cannot lie before the measure starts.")})
    try:
        with transaction.atomic():
            follow_up = FollowUp.objects.create(measure=measure, due_on=due_on)
    except IntegrityError:
        raise ValidationError({"due_on": _("That follow-up date is already planned.")}) from None
    ChangeLog.objects.create(measure=measure, user=user, field="follow_up", new=str(due_on))
    _apv_changed(measure.cycle_id)
    return follow_up


# --- step 4: supervision -------------------------------------------------------------------------


def agenda_for(*, unit: Unit, on: dt.date) -> list[Measure]:
    """Active measures of the subtree with a follow-up due, deadline passed or milestone missed."""
    measures = Measure.objects.filter(unit__path__startswith=unit.path).on_agenda(on)
    return list(measures.order_by("priority", "deadline", "pk"))


@transaction.atomic
def meeting_create(
    *, unit: Unit, held_on: dt.date, participants: Iterable[User], created_by: User
) -> StatusMeeting:
    """Hold an AMG status meeting; its agenda is generated from what is due or missed."""
    people = list(participants)
    outsiders = [p for p in people if not is_in_unit(user=p, unit=unit)]
    if outsiders:
        raise ValidationError(
            {
                "participants": _("Participants must belong to the unit: %(names)s")
                % {"names": ", ".join(str(p) for p in outsiders)}
            }
        )
    meeting = StatusMeeting.objects.create(unit=unit, held_on=held_on, created_by=created_by)
    meeting.participants.set(people)
    meeting.agenda.set(agenda_for(unit=unit, on=held_on))
    return meeting


def meeting_add_to_agenda(*, meeting: StatusMeeting, measure: Measure) -> None:
    """Put one more of the unit's measures on a meeting's agenda."""
    if not measure.unit.path.startswith(meeting.unit.path):
        raise ValidationError(_("That measure belongs to another unit's action plan."))
    meeting.agenda.add(measure)


_DECISION_STATUS = {
    Evaluation.Decision.DROP: Measure.Status.DROPPED,
    Evaluation.Decision.SCALE: Measure.Status.IN_PROGRESS,
    Evaluation.Decision.ADJUST: Measure.Status.IN_PROGRESS,
}


@transaction.atomic
def evaluation_record(
    *,
    meeting: StatusMeeting,
    measure: Measure,
    user: User,
    observation: str,
    effect: str,
    decision: str,
    conclusion: str = "",
) -> Evaluation:
    """Record a meeting's observation, effect, decision and conclusion about one measure."""
    if not measure.unit.path.startswith(meeting.unit.path):
        raise ValidationError(_("That measure belongs to another unit's action plan."))
    if not observation.strip():
        raise ValidationError({"observation": _("Write what was observed.")})
    evaluation, _created = Evaluation.objects.update_or_create(
        meeting=meeting,
        measure=measure,
        defaults={
            "observation": observation.strip(),
            "effect": effect,
            "decision": decision,
            "conclusion": conclusion.strip(),
            "recorded_by": user,
        },
    )
    meeting.agenda.add(measure)
    FollowUp.objects.filter(
        measure=measure, due_on__lte=meeting.held_on, done_on__isnull=True
    ).update(done_on=meeting.held_on)
    changes: dict[str, Any] = {}
    status = _DECISION_STATUS.get(decision)
    if status and status != measure.status:
        changes["status"] = status
    if decision == Evaluation.Decision.SCALE and measure.is_trial:
        changes["is_trial"] = False
    before = {name: getattr(measure, name) for name in changes}
    if changes:
        Measure.objects.filter(pk=measure.pk).update(
            **changes, version=F("version") + 1, updated_at=timezone.now()
        )
    ChangeLog.objects.create(
        measure=measure,
        user=user,
        field="evaluation",
        new=f"{meeting.held_on}: {evaluation.get_effect_display()} / "
        f"{evaluation.get_decision_display()}",
    )
    _log_changes(user=user, before=before, after=changes, measure=measure)
    _apv_changed(measure.cycle_id)
    return evaluation


# --- reminders and the calendar feed -------------------------------------------------------------


def calendar_token_create(*, user: User) -> str:
    """Issue a new secret for the user's iCalendar feed (revoking the old one); returns it once."""
    token = secrets.token_urlsafe(32)
    CalendarToken.objects.update_or_create(
        user=user, defaults={"token_hash": hash_token(token), "created_at": timezone.now()}
    )
    return token


def calendar_token_revoke(*, user: User) -> None:
    """Revoke the user's iCalendar feed."""
    CalendarToken.objects.filter(user=user).delete()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
