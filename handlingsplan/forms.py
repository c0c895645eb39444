"""Forms of the APV cycle: they validate input only; the services hold the rules."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from amg_portal.editing import PeopleChoiceField
from amg_portal.organisation.models import Role
from handlingsplan.models import (
    ASSESSMENT_FIELDS,
    MEASURE_FIELDS,
    AbsenceFigure,
    Assessment,
    Cycle,
    Evaluation,
    Measure,
    RiskFactor,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _check_order(form: forms.Form, start: str, end: str, message: str, *, strict: bool) -> None:
    first, last = form.cleaned_data.get(start), form.cleaned_data.get(end)
    if first and last and (last <= first if strict else last < first):
        form.add_error(end, message)


class CycleForm(forms.ModelForm):
    class Meta:
        model = Cycle
        fields = ["title", "period_start", "period_end", "guidelines"]
        widgets = {"period_start": DateInput(), "period_end": DateInput()}

    def clean(self):
        data = super().clean()
        _check_order(
            self,
            "period_start",
            "period_end",
            _("The period must end after it starts."),
            strict=True,
        )
        return data


class GuidelinesForm(forms.ModelForm):
    class Meta:
        model = Cycle
        fields = ["guidelines"]


class RiskFactorForm(forms.ModelForm):
    class Meta:
        model = RiskFactor
        fields = [
            "title",
            "description",
            "level",
            "source_round",
            "from_absence",
            "from_conversations",
            "case_reference",
            "position",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, rounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_round"].queryset = (
            rounds if rounds is not None else self.fields["source_round"].queryset.none()
        )
        self.fields["position"].required = False


class AbsenceFigureForm(forms.ModelForm):
    class Meta:
        model = AbsenceFigure
        fields = ["period_start", "period_end", "sick_days_per_fte", "stress_sick_leaves"]
        widgets = {"period_start": DateInput(), "period_end": DateInput()}
        help_texts = {
            "sick_days_per_fte": _("Aggregated for the whole unit; never about a person."),
            "stress_sick_leaves": _("Only the number; no names, no diagnoses."),
        }

    def clean_sick_days_per_fte(self):
        value = self.cleaned_data["sick_days_per_fte"]
        if value < 0 or value > 366:
            raise forms.ValidationError(_("Sick days per full-time employee must be 0–366."))
        return value

    def clean(self):
        data = super().clean()
        _check_order(
            self,
            "period_start",
            "period_end",
            _("The period must end after it starts."),
            strict=True,
        )
        return data


class ConversationNoteForm(forms.Form):
    held_on = forms.DateField(label=_("Date of the conversations"), widget=DateInput())
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_(
            "Write what was said in general terms. Never write names or anything that "
            "identifies a person or their health."
        ),
    )
    risk_factor = forms.ModelChoiceField(
        label=_("Risk factor"), queryset=RiskFactor.objects.none(), required=False
    )

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_factor"].queryset = cycle.risk_factors.all()


class AssessmentForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Assessment
        fields = list(ASSESSMENT_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("nature", "extent", "causes", "existing_prevention", "reason")
        }

    def __init__(self, *args, can_decide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_decide:
            for name in ("decision", "reason"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("The leader decides.")

    def clean(self):
        data = super().clean()
        if data.get("decision") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for the decision."))
        return data


class MeasureForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles involved"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Measure
        fields = list(MEASURE_FIELDS)
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "start": DateInput(),
            "deadline": DateInput(),
        }

    def __init__(self, *args, people, risk_factors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = people
        self.fields["risk_factor"].queryset = risk_factors
        self.fields["priority"].min_value = 1

    def clean(self):
        data = super().clean()
        _check_order(
            self, "start", "deadline", _("The deadline cannot be before the start."), strict=False
        )
        return data


class MeasureCreateForm(MeasureForm):
    follow_ups = forms.CharField(
        label=_("Follow-up dates"),
        required=False,
        help_text=_("One or more dates (YYYY-MM-DD), separated by commas."),
    )

    def clean_follow_ups(self) -> list[dt.date]:
        dates = []
        for part in self.cleaned_data["follow_ups"].replace(";", ",").split(","):
            if not part.strip():
                continue
            try:
                dates.append(dt.date.fromisoformat(part.strip()))
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a date (YYYY-MM-DD)."), params={"value": part.strip()}
                ) from None
        return dates


# The tiltag page shows both small forms at once: their prefixes keep the field ids apart
# (both have a ``due_on``), so each label points at its own field.
class MilestoneForm(forms.Form):
    prefix = "milestone"
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = forms.DateField(label=_("Date"), widget=DateInput())


class FollowUpForm(forms.Form):
    prefix = "follow_up"
    due_on = forms.DateField(label=_("Follow-up date"), widget=DateInput())


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    participants = PeopleChoiceField(
        label=_("Participants"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = people


class EvaluationForm(forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["observation", "effect", "decision", "conclusion"]
        widgets = {
            "observation": forms.Textarea(attrs={"rows": 2}),
            "conclusion": forms.Textarea(attrs={"rows": 2}),
            "effect": forms.RadioSelect,
            "decision": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Both are required: the model form's empty "---------" choice is no answer to offer.
        self.fields["effect"].choices = Evaluation.Effect.choices
        self.fields["decision"].choices = Evaluation.Decision.choices


class MeasureFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Measure.Status.choices], required=False
    )
    prevention = forms.ChoiceField(
        label=_("Prevention level"),
        choices=[("", _("All")), *list(Measure._meta.get_field("prevention").choices)],
        required=False,
    )
    level = forms.ChoiceField(
        label=_("IGLO level"),
        choices=[("", _("All")), *list(Measure._meta.get_field("level").choices)],
        required=False,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[
            ("priority", _("Priority")),
            ("deadline", _("Deadline")),
            ("title", _("Title")),
            ("status", _("Status")),
            ("prevention", _("Prevention level")),
            ("level", _("IGLO level")),
        ],
        required=False,
    )
