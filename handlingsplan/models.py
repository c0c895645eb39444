"""The four-step APV cycle: risk picture → assessment → action plan → supervision (§26).

The action plan is not a table of its own: it is the cycle's set of ``Measure`` rows (its tiltag).
A separate ``ActionPlan`` row would carry no fields of its own — the unit and period are the
cycle's — and would only add a join to every page. Measures always belong to a unit; the cycle is
set when the unit has a current cycle (a sten-i-skoen action may create a measure before the unit
has started one, and it is attached when the next cycle is created).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from amg_portal.domain import Level, Prevention
from amg_portal.organisation.models import Role, Unit

# The longest text a field of the plan takes (the guidelines twice that): pages of text in one
# field belong in an attachment, not in the APV, and a PDF must stay quick to render.
TEXT_MAX_LENGTH = 5000


class Cycle(models.Model):
    """An APV cycle (APV-forløb) of a unit for a period."""

    class Step(models.IntegerChoices):
        MAP = 1, _("Identify and map risk factors")
        ASSESS = 2, _("Assess the risk to safety and health")
        PREVENT = 3, _("Prevent and carry out measures")
        SUPERVISE = 4, _("Supervise effectively")

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="apv_cycles", verbose_name=_("unit")
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    step = models.PositiveSmallIntegerField(_("current step"), choices=Step.choices, default=1)
    guidelines = models.TextField(
        _("guidelines for follow-up"),
        blank=True,
        max_length=2 * TEXT_MAX_LENGTH,
        help_text=_("How and when the action plan is followed up and the APV revised."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("APV cycle")
        verbose_name_plural = _("APV cycles")
        ordering = ["-period_start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")),
                name="handlingsplan_cycle_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RiskFactor(models.Model):
    """A risk factor of step 1, with its sources."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="risk_factors", verbose_name=_("APV cycle")
    )
    title = models.CharField(_("risk factor"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=TEXT_MAX_LENGTH)
    level = models.CharField(_("IGLO level"), max_length=1, choices=Level.choices, blank=True)
    source_round = models.ForeignKey(
        "kortlaegning.Round",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mapping round"),
        help_text=_("The mapping round whose results show this risk factor."),
    )
    from_absence = models.BooleanField(_("seen in the absence figures"), default=False)
    from_conversations = models.BooleanField(_("raised in conversations"), default=False)
    case_reference = models.CharField(
        _("sten-i-skoen case reference"),
        max_length=40,
        blank=True,
        help_text=_("Only the case number: the case itself stays confidential."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("risk factor")
        verbose_name_plural = _("risk factors")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class AbsenceFigure(models.Model):
    """Aggregated sickness absence of the unit for a period: numbers only, never a person."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="absence_figures", verbose_name=_("cycle")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    sick_days_per_fte = models.DecimalField(
        _("sick days per full-time employee"), max_digits=5, decimal_places=1
    )
    stress_sick_leaves = models.PositiveSmallIntegerField(_("stress-related sick leaves"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("absence figure")
        verbose_name_plural = _("absence figures")
        ordering = ["period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")),
                name="handlingsplan_absencefigure_period_order",
            ),
            models.CheckConstraint(
                condition=Q(sick_days_per_fte__gte=0, sick_days_per_fte__lte=366),
                name="handlingsplan_absencefigure_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end}: {self.sick_days_per_fte}"


class ConversationNote(models.Model):
    """A summary by AMR/TR of conversations with employees; confidential, no names."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="conversation_notes", verbose_name=_("cycle")
    )
    risk_factor = models.ForeignKey(
        RiskFactor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversation_notes",
        verbose_name=_("risk factor"),
    )
    held_on = models.DateField(_("date of the conversations"))
    summary = models.TextField(_("summary"), max_length=TEXT_MAX_LENGTH)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conversation note")
        verbose_name_plural = _("conversation notes")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on}: {self.summary[:40]}"


# The fields a person edits on an assessment: the form shows them and the services write them.
ASSESSMENT_FIELDS = (
    "nature",
    "extent",
    "severity",
    "causes",
    "frequency",
    "existing_prevention",
    "balance",
    "decision",
    "reason",
    "absence_linked",
)


class Assessment(models.Model):
    """Step 2: the assessment of one risk factor, as the written APV requires it."""

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Frequency(models.TextChoices):
        RARELY = "rarely", _("Rarely")
        SOMETIMES = "sometimes", _("Sometimes (periods)")
        OFTEN = "often", _("Often")
        CONSTANTLY = "constantly", _("Constantly")

    class Balance(models.TextChoices):
        PREVENTION_SUFFICIENT = "sufficient", _("Prevention outweighs the risk factor")
        UNCLEAR = "unclear", _("Roughly in balance")
        RISK_DOMINATES = "insufficient", _("The risk factor outweighs the prevention")

    class Decision(models.TextChoices):
        MORE_MEASURES = "more_measures", _("More preventive measures are needed")
        REMOVE = "remove", _("Remove the risk factor")
        ACCEPTABLE = "acceptable", _("Acceptable as it is")

    risk_factor = models.OneToOneField(
        RiskFactor,
        on_delete=models.CASCADE,
        related_name="assessment",
        verbose_name=_("risk factor"),
    )
    nature = models.TextField(_("nature of the problem"), blank=True, max_length=TEXT_MAX_LENGTH)
    extent = models.TextField(
        _("extent (who and how many)"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    causes = models.TextField(_("causes"), blank=True, max_length=TEXT_MAX_LENGTH)
    frequency = models.CharField(_("how often it occurs"), max_length=12, choices=Frequency.choices)
    existing_prevention = models.TextField(
        _("prevention already in place"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    balance = models.CharField(
        _("balance between risk and prevention"), max_length=12, choices=Balance.choices
    )
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, blank=True
    )  # blank: not decided yet (the leader decides)
    reason = models.TextField(_("reason for the decision"), blank=True, max_length=TEXT_MAX_LENGTH)
    absence_linked = models.BooleanField(_("linked to sickness absence"), default=False)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed at"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="") | ~Q(reason=""),
                name="handlingsplan_assessment_reason_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.risk_factor}: {self.get_decision_display()}"


# The fields a person edits on a measure: the form shows them and the services write them.
MEASURE_FIELDS = (
    "title",
    "goal",
    "description",
    "responsible",
    "roles",
    "start",
    "deadline",
    "prevention",
    "level",
    "priority",
    "status",
    "is_trial",
    "risk_factor",
)


class MeasureQuerySet(models.QuerySet):
    """The action plan's rules about tiltag, written once for every reader (pages, dashboard,
    reminders, status meetings)."""

    def active(self) -> MeasureQuerySet:
        """Tiltag still being worked on: not done and not dropped."""
        return self.exclude(status__in=Measure.CLOSED_STATUSES)

    def on_agenda(self, day: dt.date) -> MeasureQuerySet:
        """Active tiltag a status meeting held on ``day`` puts on its agenda: a follow-up due, a
        milestone missed or the deadline passed. Each tiltag once (a subquery, not DISTINCT, so
        counts and windows over the result count tiltag, not follow-ups)."""
        due = self.active().filter(
            Q(follow_ups__due_on__lte=day, follow_ups__done_on__isnull=True)
            | Q(milestones__due_on__lt=day, milestones__done_on__isnull=True)
            | Q(deadline__lt=day)
        )
        return self.model.objects.filter(pk__in=due.values("pk"))


class Measure(models.Model):
    """A tiltag of the action plan (step 3)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        TRIAL = "trial", _("Trial")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    class Source(models.TextChoices):
        ROUND_QUESTION = "round_question", _("Mapping question")
        RISK_FACTOR = "risk_factor", _("Risk factor")
        CASE_ACTION = "case_action", _("Sten-i-skoen action")
        OTHER = "other", _("Other")

    CLOSED_STATUSES = (Status.DONE, Status.DROPPED)  # finished with: off agendas and reminders

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="measures", verbose_name=_("unit")
    )
    cycle = models.ForeignKey(
        Cycle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("APV cycle"),
    )
    title = models.CharField(_("title"), max_length=200)
    goal = models.TextField(_("goal (what shall change)"), blank=True, max_length=TEXT_MAX_LENGTH)
    description = models.TextField(
        _("concrete measure (what, where, when and how)"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_measures",
        verbose_name=_("responsible"),
    )
    roles = models.JSONField(_("roles involved"), default=list, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    prevention = models.CharField(
        _("prevention level"), max_length=10, choices=Prevention.choices, default=Prevention.PRIMARY
    )
    level = models.CharField(
        _("IGLO level"), max_length=1, choices=Level.choices, default=Level.GROUP
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=1, help_text=_("1 is tackled first.")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    is_trial = models.BooleanField(
        _("small trial"),
        default=False,
        help_text=_("Think small: try it, evaluate the effect, then scale up, adjust or drop it."),
    )
    source_kind = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.OTHER
    )
    risk_factor = models.ForeignKey(
        RiskFactor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("risk factor"),
    )
    source_round = models.ForeignKey(
        "kortlaegning.Round",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mapping round"),
    )
    source_question = models.ForeignKey(
        "kortlaegning.Question",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mapping question"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["priority", "deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True)
                | Q(deadline__isnull=True)
                | Q(deadline__gte=F("start")),
                name="handlingsplan_measure_deadline_after_start",
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1), name="handlingsplan_measure_priority_positive"
            ),
        ]
        indexes = [models.Index(fields=["unit", "status"], name="handlingsplan_measure_unit_st")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("handlingsplan:measure_detail", args=[self.unit_id, self.pk])

    def milestone_progress(self) -> tuple[int, int]:
        """(reached, total) milestones, from the prefetched rows."""
        milestones = list(self.milestones.all())
        return sum(1 for m in milestones if m.done_on), len(milestones)

    def next_follow_up(self):
        """The earliest open follow-up date, from the prefetched rows."""
        return min((f.due_on for f in self.follow_ups.all() if f.done_on is None), default=None)

    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(role, role)) for role in self.roles]

    def has_details(self) -> bool:
        """Whether the written APV shows a row of details under the measure (goal, description,
        start, roles, milestones, follow-ups, risk factor), from the prefetched rows."""
        return bool(
            self.goal
            or self.description
            or self.start
            or self.roles
            or self.risk_factor_id
            or self.milestones.all()
            or self.follow_ups.all()
        )


class Milestone(models.Model):
    """A delmål of a measure, with its own date and done-state."""

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("measure")
    )
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class FollowUp(models.Model):
    """A date on which a measure is evaluated and adjusted."""

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("measure")
    )
    due_on = models.DateField(_("follow-up date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "due_on"], name="handlingsplan_followup_unique_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure}: {self.due_on}"


class StatusMeeting(models.Model):
    """An AMG status meeting (step 4) with an agenda generated from the action plan."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="status_meetings", verbose_name=_("unit")
    )
    held_on = models.DateField(_("date"))
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="status_meetings", verbose_name=_("participants")
    )
    agenda = models.ManyToManyField(Measure, related_name="meetings", verbose_name=_("agenda"))
    notes = models.TextField(_("other notes"), blank=True, max_length=TEXT_MAX_LENGTH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("status meeting")
        verbose_name_plural = _("status meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.unit} {self.held_on}"


class Evaluation(models.Model):
    """What a status meeting concluded about one measure."""

    class Effect(models.TextChoices):
        WORKS = "works", _("Works")
        PARTLY = "partly", _("Works partly")
        NOT = "not", _("Does not work")

    class Decision(models.TextChoices):
        CONTINUE = "continue", _("Continue")
        ADJUST = "adjust", _("Adjust")
        DROP = "drop", _("Drop")
        SCALE = "scale", _("Scale up")

    meeting = models.ForeignKey(StatusMeeting, on_delete=models.CASCADE, related_name="evaluations")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="evaluations")
    observation = models.TextField(_("observation"), max_length=TEXT_MAX_LENGTH)
    effect = models.CharField(_("effect"), max_length=8, choices=Effect.choices)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    conclusion = models.TextField(_("conclusion"), blank=True, max_length=TEXT_MAX_LENGTH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-meeting__held_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "measure"], name="handlingsplan_evaluation_once_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.measure}"


class ChangeLog(models.Model):
    """History of assessments and measures (§26 documentation), written by the services."""

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, null=True, blank=True, related_name="history"
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, null=True, blank=True, related_name="history"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    field = models.CharField(max_length=60)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("history")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(measure__isnull=False) | Q(assessment__isnull=False),
                name="handlingsplan_changelog_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.old[:20]} → {self.new[:20]}"

    EVENTS = {
        "created": _("Created"),
        "milestone": _("Milestone added"),
        "milestone_done": _("Milestone reached"),
        "follow_up": _("Follow-up planned"),
        "evaluation": _("Evaluation at status meeting"),
    }

    def _model_field(self):
        model = Measure if self.measure_id else Assessment
        try:
            return model._meta.get_field(self.field)
        except Exception:
            return None

    @property
    def field_label(self) -> str:
        if self.field in self.EVENTS:
            return str(self.EVENTS[self.field])
        field = self._model_field()
        return str(field.verbose_name) if field is not None else self.field

    def _display(self, value: str) -> str:
        field = self._model_field()
        if field is not None and field.choices:
            return str(dict((str(k), v) for k, v in field.choices).get(value, value))
        if value in ("True", "False"):
            return str(_("Yes") if value == "True" else _("No"))
        return value

    @property
    def old_display(self) -> str:
        return self._display(self.old)

    @property
    def new_display(self) -> str:
        return self._display(self.new)


class ReminderLog(models.Model):
    """One row per reminder e-mailed: at most one per item, user and day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item = models.CharField(max_length=40)  # e.g. "deadline:12", "followup:7", "milestone:3"
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "item", "sent_on"], name="handlingsplan_reminderlog_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.sent_on}"


class CalendarToken(models.Model):
    """The secret of a user's personal iCalendar feed; only its SHA-256 is stored."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="apv_calendar_token"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user}"


class ApvVersion(models.Model):
    """The version of what a cycle's written APV shows. Every service that changes it (the cycle,
    risk factors, assessments, absence figures, measures, milestones, follow-ups, evaluations)
    bumps ``number`` in its own transaction; a cycle without a row is at version 1. Only those
    services write it (never a model ``save()``), so the number never goes back."""

    cycle = models.OneToOneField(
        Cycle, on_delete=models.CASCADE, primary_key=True, related_name="apv_version"
    )
    number = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.number}"


class RenderedPdf(models.Model):
    """A rendered APV-handlingsplan PDF, kept under the SHA-256 of what it was made from.

    The key (``handlingsplan.pdf``) is the plan's ``ApvVersion`` together with everything that
    makes one reader's document differ from another's: language, the names of the people shown,
    the mapping rounds and whether this reader may see their results. A stored PDF found under it
    is what a fresh render would give (but for the date it was made, in its footer): never stale,
    never more than the reader may see.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="rendered_pdfs")
    digest = models.CharField(max_length=64, unique=True)
    pdf = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["cycle", "-created_at"], name="handlingsplan_pdf_cycle_idx")
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.digest[:12]}"


class ApvPdfJob(models.Model):
    """A cycle whose written APV changed and whose PDF is to be rendered ahead of the first
    click (issue 15). Written by the service that bumps ``ApvVersion``, in the same transaction;
    one row per cycle (later changes move ``requested_at`` on). The worker that served the change
    renders it right after its response (``amg_portal.afterresponse``); ``manage.py once
    render_pdfs`` renders what is left (as the unit's leader sees it). Deleted once a render
    started after ``requested_at``."""

    cycle = models.OneToOneField(
        Cycle, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    language = models.CharField(max_length=10)  # the editor's
    requested_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.requested_at:%Y-%m-%d %H:%M:%S}"
