"""Forms of the mapping: they validate input only; the rules live in ``services``."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amg_portal.domain import Level
from amg_portal.organisation.models import Unit
from kortlaegning.models import (
    COMMENT_MAX_LENGTH,
    Choice,
    Question,
    QuestionVersion,
    Round,
)
from kortlaegning.services import MAX_CODES_PER_SHEET

LEVEL_CHOICES = Level.choices
COMMENT_WARNING = _(
    "Optional. Do not write names, and nothing about anyone's health or sick leave: comments are "
    "shown to the leader, AMR, TR and the AMG."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _units_in(round: Round):
    return Unit.objects.filter(path__startswith=round.unit.path)


class UnitChoiceField(forms.ModelChoiceField):
    """Units indented by their depth, so sub-units read as part of their parent."""

    def label_from_instance(self, obj: Unit) -> str:
        return " " * max(obj.depth - 1, 0) + obj.name


class RoundForm(forms.Form):
    """A round's settings (create, or change while it is a draft)."""

    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Unit"))
    title = forms.CharField(label=_("Title"), max_length=200)
    mode = forms.ChoiceField(
        label=_("Mode"), choices=Round.Mode.choices, widget=forms.RadioSelect, initial="written"
    )
    collection = forms.ChoiceField(
        label=_("How answers are collected"),
        choices=Round.Collection.choices,
        widget=forms.RadioSelect,
        initial="codes",
        help_text=_(
            "An open link cannot prevent someone from answering twice; use it for dialogue "
            "rounds and small trusted groups."
        ),
    )
    employee_levels = forms.MultipleChoiceField(
        label=_("Levels the employees answer"),
        choices=LEVEL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=["I", "G"],
    )
    leader_levels = forms.MultipleChoiceField(
        label=_("Levels the leadership answers"),
        choices=LEVEL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=["L", "O"],
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput())
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput())
    threshold = forms.IntegerField(
        label=_("Anonymity threshold"),
        min_value=1,
        max_value=100,
        initial=5,
        help_text=_(
            "No figures at all are shown for a group with fewer responses. At least 5 for "
            "written rounds."
        ),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units
        today = timezone.localdate()
        self.fields["opens_on"].initial = today
        self.fields["closes_on"].initial = today + timezone.timedelta(days=14)

    def clean(self):
        data = super().clean()
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("The closing date must be on or after the opening date."))
        threshold = data.get("threshold")
        if threshold and data.get("mode") == Round.Mode.WRITTEN and threshold < 5:
            self.add_error("threshold", _("A written round needs a threshold of at least 5."))
        if not data.get("employee_levels") and not data.get("leader_levels"):
            self.add_error("employee_levels", _("Choose at least one level for one of the groups."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the round reopened?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class CodesForm(forms.Form):
    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        label=_("For unit"),
        help_text=_(
            "Codes for a sub-unit let the results be broken down (within the anonymity rules)."
        ),
    )
    count = forms.IntegerField(
        label=_("Number of codes"), min_value=1, max_value=MAX_CODES_PER_SHEET, initial=10
    )

    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units_in(round)
        self.fields["unit"].initial = round.unit_id


_SEPARATORS = re.compile(r"[\s,;]+")


class InvitationsForm(forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("For unit"))
    emails = forms.CharField(
        label=_("E-mail addresses"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One per line (or separated by commas). The list is deleted when the round closes."
        ),
    )

    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units_in(round)
        self.fields["unit"].initial = round.unit_id

    def clean_emails(self) -> list[str]:
        emails = [e for e in _SEPARATORS.split(self.cleaned_data["emails"]) if e]
        validate = EmailValidator()
        bad = []
        for email in emails:
            try:
                validate(email)
            except ValidationError:
                bad.append(email)
        if bad:
            raise ValidationError(
                _("These are not valid e-mail addresses: %(bad)s"),
                params={"bad": ", ".join(bad[:10])},
            )
        if not emails:
            raise ValidationError(_("Give at least one e-mail address."))
        return emails


class CodeEntryForm(forms.Form):
    code = forms.CharField(
        label=_("Your answer code"),
        max_length=80,
        help_text=_(
            "As printed on your slip; dashes, spaces and upper or lower case do not matter."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


def _answer_field(question: Question, version: QuestionVersion) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=f"{question.code}. {version.text()}",
        choices=Choice.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose an answer."),
            "invalid_choice": _("Choose one of the answers."),
        },
    )


def answer_field_name(question_id: int) -> str:
    return f"q{question_id}"


def comment_field_name(level: str) -> str:
    return f"comment_{level}"


class AnswersForm(forms.Form):
    """The answers on one or more IGLO levels, with an optional comment per level."""

    def __init__(
        self, *args, levels: list[tuple[str, list[tuple[Question, QuestionVersion]]]], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.levels = levels
        for level, pairs in levels:
            for question, version in pairs:
                self.fields[answer_field_name(question.pk)] = _answer_field(question, version)
            self.fields[comment_field_name(level)] = forms.CharField(
                label=_("Comment on this level"),
                required=False,
                max_length=COMMENT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=COMMENT_WARNING,
            )

    def answers(self) -> dict[str, str]:
        return {
            str(q.pk): self.cleaned_data[answer_field_name(q.pk)]
            for _, pairs in self.levels
            for q, _v in pairs
        }

    def comments(self) -> dict[str, str]:
        return {
            level: self.cleaned_data.get(comment_field_name(level), "")
            for level, _ in self.levels
            if self.cleaned_data.get(comment_field_name(level), "").strip()
        }


_CHOICES = frozenset(Choice.values)


def valid_step(
    data, level: str, pairs: list[tuple[Question, QuestionVersion]]
) -> tuple[dict[str, str], dict[str, str]] | None:
    """A step's answers and comment as ``AnswersForm(data, levels=[(level, pairs)])`` cleans them
    when it is valid, without building the form; None when the form would show an error.

    The last step's POST is validated here and the form is only built to show what is wrong
    (tests/kortlaegning/test_answer_forms.py checks both agree on arbitrary input)."""
    answers = {}
    for question, _version in pairs:
        choice = data.get(answer_field_name(question.pk))
        if choice not in _CHOICES:
            return None
        answers[str(question.pk)] = choice
    # As the comment's CharField: whitespace stripped, at most the maximum length, no NUL.
    text = data.get(comment_field_name(level))
    text = "" if text in (None, "") else str(text).strip()
    if len(text) > COMMENT_MAX_LENGTH or "\x00" in text:
        return None
    return answers, ({level: text} if text else {})


def initial_from(answers: dict, comments: dict) -> dict:
    """Form initial values from answers and comments kept in the session."""
    initial = {answer_field_name(int(qid)): choice for qid, choice in answers.items()}
    initial.update({comment_field_name(level): text for level, text in comments.items()})
    return initial


class DialogueForm(AnswersForm):
    """One joint answer set of a dialogue meeting."""

    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitChoiceField(
            queryset=_units_in(round), label=_("Unit"), initial=round.unit_id
        )
        self.fields["participants"] = forms.IntegerField(
            label=_("Number of participants"), min_value=1, max_value=10000
        )
        self.fields["summary"] = forms.CharField(
            label=_("Summary of the dialogue"),
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=COMMENT_WARNING,
        )
        self.order_fields(["unit", "participants", "summary"])
