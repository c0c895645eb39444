"""Bilag 1: the versioned question catalogue, mapping rounds and their anonymous responses.

What must never exist here (DESIGN.md, "Data that must never exist"): a link from a ``Response`` to
a user, an invitation, a code, an IP address, a user agent or a collector, or a time finer than the
date. ``Response`` therefore has a random UUID key, a ``submitted_on`` date and nothing else that
points at a person; codes and invitations only know *whether* they were used.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from amg_portal.domain import Level
from amg_portal.organisation.models import Unit

LEVEL_ORDER = [Level.INDIVIDUAL, Level.GROUP, Level.LEADER, Level.ORGANISATION]
COMMENT_MAX_LENGTH = 1000


class Question(models.Model):
    """One question of bilag 1; its wording lives in immutable ``QuestionVersion`` rows."""

    level = models.CharField(_("level"), max_length=1, choices=Level.choices)
    position = models.PositiveSmallIntegerField(_("position within the level"))
    sort_key = models.PositiveSmallIntegerField(_("order in the catalogue"), unique=True)
    is_active = models.BooleanField(_("used in new rounds"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "position"], name="kortlaegning_question_unique_position"
            ),
        ]

    def __str__(self) -> str:
        current = self.current_version()
        return f"{self.level}{self.position}: {current.text() if current else ''}"

    @property
    def code(self) -> str:
        return f"{self.level}{self.position}"

    def current_version(self) -> QuestionVersion | None:
        return self.versions.order_by("-number").first()


class QuestionVersion(models.Model):
    """The exact wording of a question at one time; never edited, a change makes a new row."""

    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="versions", verbose_name=_("question")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    text_da = models.TextField(_("Danish text"))
    text_en = models.TextField(_("English text"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("question version")
        verbose_name_plural = _("question versions")
        ordering = ["question__sort_key", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "number"], name="kortlaegning_questionversion_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.code} v{self.number}"

    def text(self, language: str | None = None) -> str:
        """The wording in ``language`` (default: the active language), Danish as the fallback."""
        language = (language or translation.get_language() or "da")[:2]
        return self.text_en if language == "en" and self.text_en else self.text_da


class Round(models.Model):
    """A mapping round of one unit (and its subtree): draft → open → closed."""

    class Mode(models.TextChoices):
        WRITTEN = "written", _("Written answers")
        DIALOGUE = "dialogue", _("Dialogue")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Collection(models.TextChoices):
        CODES = "codes", _("Answer codes handed out on paper")
        INVITATIONS = "invitations", _("Personal invitations by e-mail")
        OPEN_LINK = "open_link", _("An open link")

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("unit")
    )
    title = models.CharField(_("title"), max_length=200)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.WRITTEN)
    collection = models.CharField(
        _("collection"), max_length=12, choices=Collection.choices, default=Collection.CODES
    )
    # The IGLO levels each respondent group answers, as letters in IGLO order, e.g. "IG".
    employee_levels = models.CharField(
        _("levels answered by employees"), max_length=4, default="IG"
    )
    leader_levels = models.CharField(
        _("levels answered by the leadership"), max_length=4, default="LO"
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    threshold = models.PositiveSmallIntegerField(
        _("anonymity threshold"),
        default=5,
        help_text=_("No figures are shown for a group with fewer responses than this."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    results_published = models.BooleanField(_("results published to employees"), default=False)
    # HMAC of the open link's token (never the token itself); empty when the round has none.
    open_link_hash = models.CharField(max_length=64, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    # Employees of the round's subtree when it opened: dialogue participants are checked against it.
    headcount = models.PositiveIntegerField(_("headcount when opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("mapping round")
        verbose_name_plural = _("mapping rounds")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(status="open"),
                name="kortlaegning_round_one_open_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(mode="dialogue") | Q(threshold__gte=5),
                name="kortlaegning_round_threshold_at_least_5",
            ),
            models.CheckConstraint(
                condition=Q(threshold__gte=1), name="kortlaegning_round_threshold_positive"
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="kortlaegning_round_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "closed"]),
                name="kortlaegning_round_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_dialogue(self) -> bool:
        return self.mode == self.Mode.DIALOGUE

    def levels_for(self, group: str) -> list[str]:
        """The IGLO levels respondent ``group`` answers, in IGLO order."""
        letters = self.leader_levels if group == Response.Group.LEADERSHIP else self.employee_levels
        return [level for level in LEVEL_ORDER if level in letters]


class RoundQuestion(models.Model):
    """A question as a round asks it: the exact version, frozen when the round opens."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="round_questions", verbose_name=_("round")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("question")
    )
    version = models.ForeignKey(
        QuestionVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("version")
    )

    class Meta:
        verbose_name = _("question of a round")
        verbose_name_plural = _("questions of a round")
        ordering = ["question__sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "question"], name="kortlaegning_roundquestion_unique_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.question_id} v{self.version_id}"


class RoundEvent(models.Model):
    """The round's log: who opened, closed or reopened it, and why (reopening needs a reason)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        OPENED = "opened", _("Opened")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        PUBLISHED = "published", _("Results published")

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="events", verbose_name=_("round")
    )
    kind = models.CharField(_("event"), max_length=10, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)
    # At each closing: respondents per result group, so that results after a reopening can be
    # checked against what was shown before (a small increment would expose the late answers).
    counts = models.JSONField(_("respondents at closing"), default=dict, blank=True)

    class Meta:
        verbose_name = _("round event")
        verbose_name_plural = _("round events")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="reopened") | ~Q(reason=""),
                name="kortlaegning_roundevent_reopen_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class AnswerCode(models.Model):
    """A single-use ticket to answer a round: a printed code, or one visit through the open link.

    Only an HMAC of the secret is stored. Using the ticket sets ``used`` in the same transaction
    that inserts the response, and nothing records which response that was.
    """

    class Source(models.TextChoices):
        PRINTED = "printed", _("Printed code")
        OPEN_LINK = "open_link", _("Open link visit")

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="codes", verbose_name=_("round")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PRINTED)
    token_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(_("used"), default=False)

    class Meta:
        verbose_name = _("answer code")
        verbose_name_plural = _("answer codes")

    def __str__(self) -> str:
        return f"{self.round_id}/{self.pk}"


class Invitation(models.Model):
    """A personal e-mail invitation; the rows (and so the addresses) are deleted at closing."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("round")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    email = models.EmailField(_("e-mail address"))
    token_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(_("answered"), default=False)
    reminders = models.PositiveSmallIntegerField(_("reminders sent"), default=0)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "email"], name="kortlaegning_invitation_unique_email"
            ),
        ]

    def __str__(self) -> str:
        return self.email


class InvitationMail(models.Model):
    """An invitation or reminder e-mail waiting to be sent (the outbox).

    Written in the same transaction as the invitation and sent after the commit, one message per
    transaction, so an SMTP failure never undoes an invitation and a crash loses none. The row,
    with the link in its body, is deleted once the relay has accepted the message; rows go with
    their invitation when the round closes.
    """

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="mails")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("queued invitation e-mail")
        verbose_name_plural = _("queued invitation e-mails")

    def __str__(self) -> str:
        return self.subject


class LeaderParticipation(models.Model):
    """That a leader has answered a round (once); not which response is theirs."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="leader_participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "user"], name="kortlaegning_leaderparticipation_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.user_id}"


class Choice(models.TextChoices):
    """The answer to one question.

    The questions are phrased "Har vi …?", "Er vi …?": a yes/no scale with a middle for "partly"
    fits them, and "don't know" keeps people who cannot judge (e.g. employees on
    organisation-level questions) from guessing. It is excluded from the score."""

    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
    DONT_KNOW = "dont_know", _("Don't know")


class Response(models.Model):
    """One respondent's answers, or one dialogue meeting's joint answers. Anonymous by design."""

    class Group(models.TextChoices):
        EMPLOYEES = "employees", _("Employees")
        LEADERSHIP = "leadership", _("Leadership")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="responses", verbose_name=_("round")
    )
    # The (sub-)unit the answers count for, within the round's subtree.
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    group = models.CharField(
        _("respondent group"), max_length=10, choices=Group.choices, default=Group.EMPLOYEES
    )
    is_dialogue = models.BooleanField(_("joint dialogue answers"), default=False)
    participants = models.PositiveSmallIntegerField(_("participants"), default=1)
    summary = models.TextField(_("summary of the dialogue"), blank=True)
    submitted_on = models.DateField(_("date"))
    # Question id (a string, as JSON keys are) → ``Choice`` value, for every question the round
    # asks the response's group: the answer set is written once, whole, with the response, and
    # never changed. One column rather than a row per answer: the submit writes one row instead
    # of 34 with their index entries, which was most of its cost in PostgreSQL (issue 15). The
    # only reader is the result snapshot, which counts them in the database (``snapshot``).
    # Valid by construction: ``services.answering.check_answers`` is the only way in.
    answers = models.JSONField(_("answers"), default=dict)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.CheckConstraint(
                condition=Q(participants__gte=1), name="kortlaegning_response_participants_positive"
            ),
            models.CheckConstraint(
                condition=Q(is_dialogue=True) | (Q(participants=1) & Q(summary="")),
                name="kortlaegning_response_individual_is_one_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.submitted_on}"


class LevelComment(models.Model):
    """An optional free-text comment on one IGLO level of a response."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="comments", verbose_name=_("response")
    )
    level = models.CharField(_("level"), max_length=1, choices=Level.choices)
    text = models.CharField(_("comment"), max_length=COMMENT_MAX_LENGTH)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "level"], name="kortlaegning_levelcomment_one_per_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level}: {self.text[:40]}"


# --- the result snapshot -------------------------------------------------------------------------
#
# A round's results are decided once, when it closes (``snapshot.snapshot_build``), and stored
# here; every page, export, panel and PDF reads these tables and never the raw answers. The unit
# tree is copied as it stood at closing, so a later re-organisation (moving, merging, renaming or
# deleting units) cannot change, and cannot be subtracted from, what was published.


class ResultSnapshot(models.Model):
    """The frozen results of one closed round."""

    round = models.OneToOneField(
        Round, on_delete=models.CASCADE, related_name="snapshot", verbose_name=_("round")
    )
    closed_at = models.DateTimeField(_("closed"))
    built_at = models.DateTimeField(_("built"), auto_now=True)
    # A round closed again after a reopening: sub-units are not broken down any more (their
    # increments between the closings are not checked), only the round's own unit is shown.
    reopened = models.BooleanField(_("closed after a reopening"), default=False)
    # Set when the retention purge deleted the raw answers: the snapshot can no longer be rebuilt,
    # so the round cannot be reopened.
    raw_purged_at = models.DateTimeField(_("raw answers deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("result snapshot")
        verbose_name_plural = _("result snapshots")

    def __str__(self) -> str:
        return f"{self.round_id} @ {self.closed_at:%Y-%m-%d}"


class ResultPage(models.Model):
    """A results page's sections as drawn from a snapshot (``result_charts.rendered_sections``):
    they never change once drawn, so every worker and server reads them here instead of drawing
    them again. Deleted with their snapshot (a reopened and closed round gets a new one)."""

    snapshot = models.ForeignKey(ResultSnapshot, on_delete=models.CASCADE, related_name="pages")
    key = models.CharField(max_length=200, unique=True)
    html = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("drawn results page")
        verbose_name_plural = _("drawn results pages")

    def __str__(self) -> str:
        return self.key


class ResultUnit(models.Model):
    """A unit of the round's subtree as it stood when the round closed."""

    snapshot = models.ForeignKey(
        ResultSnapshot, on_delete=models.CASCADE, related_name="units", verbose_name=_("snapshot")
    )
    # The unit's id at closing; deliberately no foreign key: the unit may later be deleted.
    unit_id = models.PositiveIntegerField(_("unit id"))
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    path = models.CharField(_("path at closing"), max_length=255)
    depth = models.PositiveSmallIntegerField(_("depth below the round's unit"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20)
    headcount = models.PositiveIntegerField(_("headcount of the subtree"), default=0)
    # The level scores of this unit's shown groups, {group: [[level, score, attention], …]}: a copy
    # of ``ResultGroup.levels`` for overviews that list many units (one row per unit to read).
    shown_levels = models.JSONField(_("level scores of the shown groups"), default=dict)
    # A group of a unit below this one is shown: the results page offers a way down.
    shown_below = models.BooleanField(_("figures shown further down"), default=False)

    class Meta:
        verbose_name = _("unit at closing")
        verbose_name_plural = _("units at closing")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "unit_id"], name="kortlaegning_resultunit_unique_unit"
            ),
            models.UniqueConstraint(
                fields=["snapshot", "path"], name="kortlaegning_resultunit_unique_path"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ResultGroup(models.Model):
    """One reported group: a unit (with its subtree, as at closing) × a respondent group."""

    class Decision(models.TextChoices):
        SHOWN = "shown", _("Shown")
        FOLDED = "folded", _("Folded into the unit above")
        WITHHELD = "withheld", _("Withheld")

    class Reason(models.TextChoices):
        NONE = "", _("—")
        THRESHOLD = "threshold", _("Fewer respondents than the threshold")
        DIFFERENCE = "difference", _("Could be worked out by subtracting shown groups")
        REOPENED = "reopened", _("Not broken down after a reopening")
        INCREMENT = "increment", _("Too few answers came in after a reopening")

    snapshot = models.ForeignKey(
        ResultSnapshot, on_delete=models.CASCADE, related_name="groups", verbose_name=_("snapshot")
    )
    unit = models.ForeignKey(
        ResultUnit, on_delete=models.CASCADE, related_name="groups", verbose_name=_("unit")
    )
    group = models.CharField(_("respondent group"), max_length=10)
    respondents = models.PositiveIntegerField(_("respondents (dialogue participants counted)"))
    responses = models.PositiveIntegerField(_("answer sets"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices, blank=True)
    # Per IGLO level of a shown group: [level, score or None, questions needing attention].
    levels = models.JSONField(_("level scores"), default=list, blank=True)
    # Free text is listed for this group (it is shown and has enough respondents).
    texts_shown = models.BooleanField(_("comments shown"), default=False)

    class Meta:
        verbose_name = _("reported group")
        verbose_name_plural = _("reported groups")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "group"], name="kortlaegning_resultgroup_unique_group"
            ),
            models.CheckConstraint(
                condition=Q(decision="shown") | Q(texts_shown=False),
                name="kortlaegning_resultgroup_texts_only_when_shown",
            ),
        ]
        indexes = [models.Index(fields=["snapshot", "group", "decision"])]

    def __str__(self) -> str:
        return f"{self.unit} / {self.group}: {self.decision}"


class ResultCount(models.Model):
    """How a shown group answered one question: the count of each choice."""

    group = models.ForeignKey(
        ResultGroup, on_delete=models.CASCADE, related_name="counts", verbose_name=_("group")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("question")
    )
    yes = models.PositiveIntegerField(default=0)
    partly = models.PositiveIntegerField(default=0)
    no = models.PositiveIntegerField(default=0)
    dont_know = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("answer count")
        verbose_name_plural = _("answer counts")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "question"], name="kortlaegning_resultcount_unique_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}/{self.question_id}"


class ResultText(models.Model):
    """A comment or a dialogue summary listed with a shown group, in an order drawn at closing."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        SUMMARY = "summary", _("Summary of a dialogue")

    group = models.ForeignKey(
        ResultGroup, on_delete=models.CASCADE, related_name="texts", verbose_name=_("group")
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=1, blank=True)
    participants = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(_("text"))
    position = models.PositiveIntegerField(_("random position"))

    class Meta:
        verbose_name = _("comment in the results")
        verbose_name_plural = _("comments in the results")
        ordering = ["position"]
        indexes = [models.Index(fields=["group", "kind", "position"])]

    def __str__(self) -> str:
        return self.text[:40]
