"""Bilag 2, the stone-in-the-shoe model: one concrete problem discussed at the four IGLO levels.

A ``Case`` is confidential: only its participants (its opener, the people added to it, the leader,
AMR and TR of its own unit) and, exceptionally and audited, the coordinator may see it. Every read
goes through ``Case.objects.visible_to(user)``, which asks ``access.cases_visible_to``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from amg_portal.domain import Level
from amg_portal.organisation import access
from amg_portal.organisation.models import Unit

CELL_MAX_LENGTH = 4000
ESCALATION_MAX_LENGTH = 2000


class Column(models.TextChoices):
    """The four columns of the bilag 2 matrix."""

    ORIGIN = "origin", _("Where did the problem arise?")
    EXPRESSION = "expression", _("How does it show?")
    TODO = "todo", _("What must be done?")
    TIMEFRAME = "timeframe", _("Timeframe: who does what by when?")


# The rows in the guide's order: from the organisation down to the individual.
ROWS = [Level.ORGANISATION, Level.LEADER, Level.GROUP, Level.INDIVIDUAL]
# The row names of bilag 2 (Organisation, Leder, Gruppen, Individ).
ROW_LABELS = {
    Level.ORGANISATION: _("Organisation"),
    Level.LEADER: _("Leader"),
    Level.GROUP: _("The group"),
    Level.INDIVIDUAL: _("Individual"),
}
# Columns holding free text; the timeframe column holds concrete actions (``CaseAction``).
TEXT_COLUMNS = [Column.ORIGIN, Column.EXPRESSION, Column.TODO]


class CaseQuerySet(models.QuerySet):
    """Cases scoped by confidentiality."""

    def visible_to(self, user, *, as_coordinator: bool = True) -> CaseQuerySet:
        """The cases ``user`` takes part in (the coordinator: all); see ``access``."""
        return access.cases_visible_to(user, self, as_coordinator=as_coordinator)

    def open(self) -> CaseQuerySet:
        return self.exclude(status=Case.Status.CLOSED)


class Case(models.Model):
    """A sten-i-skoen case (sag): one concrete problem of one unit."""

    class Occasion(models.TextChoices):
        RISK = "risk", _("Risk of stress-related sick leave")
        SICK_LEAVE = "sick_leave", _("Stress-related sick leave has occurred")

    class Status(models.TextChoices):
        # Contexts keep these short words apart from other apps' statuses in the shared catalogue.
        OPEN = "open", pgettext_lazy("case status", "Open")
        ACTIONS_AGREED = "actions_agreed", pgettext_lazy("case status", "Actions agreed")
        FOLLOWED_UP = "followed_up", pgettext_lazy("case status", "Followed up")
        CLOSED = "closed", pgettext_lazy("case status", "Closed")

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="cases", verbose_name=_("unit")
    )
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("the problem as observed"), max_length=CELL_MAX_LENGTH)
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="sten_i_skoen_cases",
        verbose_name=_("participants"),
    )
    discussed_on = models.DateField(_("date of the dialogue"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("stone-in-the-shoe case")
        verbose_name_plural = _("stone-in-the-shoe cases")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "actions_agreed", "followed_up", "closed"]),
                name="sten_i_skoen_case_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sten_i_skoen:case_detail", kwargs={"pk": self.pk})


class CaseCell(models.Model):
    """One cell of the matrix; ``version`` guards against silent overwrites (optimistic lock)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="cells")
    row = models.CharField(_("level"), max_length=1, choices=Level.choices)
    column = models.CharField(_("column"), max_length=20, choices=Column.choices)
    text = models.TextField(_("text"), blank=True, max_length=CELL_MAX_LENGTH)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("matrix cell")
        verbose_name_plural = _("matrix cells")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "row", "column"], name="sten_i_skoen_casecell_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.row}/{self.column}"


class CaseEvent(models.Model):
    """A dated entry of the case's lifecycle log: who moved it to which status."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=Case.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Case.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


class Escalation(models.Model):
    """An item the unit cannot solve itself, sent to the next management level (videreførelse)."""

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("escalation status", "Received")
        IN_PROGRESS = "in_progress", pgettext_lazy("escalation status", "In progress")
        ANSWERED = "answered", pgettext_lazy("escalation status", "Answered")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    to_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="received_escalations",
        verbose_name=_("sent to"),
    )
    text = models.TextField(_("what we cannot solve ourselves"), max_length=ESCALATION_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    answer = models.TextField(_("answer"), blank=True, max_length=ESCALATION_MAX_LENGTH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="answered") | ~Q(answer=""),
                name="sten_i_skoen_escalation_answered_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class CaseAction(models.Model):
    """A concrete action of the timeframe column: who does what by when; it becomes a tiltag."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    row = models.CharField(_("level"), max_length=1, choices=Level.choices)
    what = models.CharField(_("what"), max_length=200)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who"),
    )
    due = models.DateField(_("by when"))
    include_case_text = models.BooleanField(default=False)
    measure = models.ForeignKey(
        "handlingsplan.Measure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case_actions",
        verbose_name=_("tiltag"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.what


class RenderedCasePdf(models.Model):
    """The case's PDF as last rendered, kept under the SHA-256 of the HTML it was made from.

    The HTML is built from the case as it is now (cheap: one template, a few queries), so a PDF
    found under its digest is exactly what a fresh render would give. Only the newest one of a
    case is kept, it goes with the case, and saving a cell deletes it, so no text a participant
    changed or removed lives on in a stored PDF.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rendered_pdfs")
    digest = models.CharField(max_length=64, unique=True)
    pdf = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.case_id}: {self.digest[:12]}"


class CasePdfJob(models.Model):
    """A changed case whose PDF is to be rendered ahead of the first click (issue 15): written
    by the service that changed the case, in its transaction, one row per case. The worker that
    served the change renders it right after its response; ``manage.py once render_pdfs``
    renders what is left. Deleted once a render started after ``requested_at``."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="+")
    language = models.CharField(max_length=10)  # the editor's
    requested_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.case_id}: {self.requested_at:%Y-%m-%d %H:%M:%S}"
