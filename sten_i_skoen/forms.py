"""Forms validate input only; the rules live in ``services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from amg_portal.domain import Level
from amg_portal.editing import PeopleChoiceField
from amg_portal.organisation.models import Unit, User
from amg_portal.organisation.selectors import people_around
from sten_i_skoen.models import (
    CELL_MAX_LENGTH,
    ESCALATION_MAX_LENGTH,
    ROW_LABELS,
    ROWS,
    TEXT_COLUMNS,
    Case,
    CaseAction,
    Escalation,
)

NO_HEALTH_INFO = _(
    "Do not record health information or the name of the person on sick leave. "
    "Describe the problem, not the person."
)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class CaseForm(forms.ModelForm):
    participants = PeopleChoiceField(
        label=_("Participants"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only the participants and the unit's leader can see the case. You are one."),
        error_messages={"invalid_choice": _("Choose people who hold a role in this unit.")},
    )

    class Meta:
        model = Case
        fields = ["title", "occasion", "problem", "discussed_on"]
        widgets = {
            "occasion": forms.RadioSelect,
            "problem": forms.Textarea(attrs={"rows": 5, "maxlength": CELL_MAX_LENGTH}),
            "discussed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"problem": NO_HEALTH_INFO, "title": NO_HEALTH_INFO}

    def __init__(self, *args, unit: Unit, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = people_around(unit).exclude(pk=user.pk)
        self.fields["occasion"].choices = Case.Occasion.choices  # no empty "------" radio


class ParticipantsForm(forms.Form):
    participants = PeopleChoiceField(
        label=_("Participants"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose people who hold a role in this unit.")},
    )

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = people_around(unit)


class CellForm(forms.Form):
    row = forms.ChoiceField(choices=[(r.value, r.label) for r in ROWS])
    column = forms.ChoiceField(choices=[(c.value, c.label) for c in TEXT_COLUMNS])
    text = forms.CharField(
        required=False,
        strip=False,
        max_length=CELL_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Case.Status.choices)


class EscalationForm(forms.ModelForm):
    class Meta:
        model = Escalation
        fields = ["text"]
        labels = {"text": _("Pass on to the next management level")}
        help_texts = {
            "text": _(
                "Only this text is sent to the leadership of the parent unit, nothing else "
                "of the case. Do not record health information or names."
            )
        }
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "maxlength": ESCALATION_MAX_LENGTH})}


class AnswerForm(forms.ModelForm):
    class Meta:
        model = Escalation
        fields = ["answer"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 4, "maxlength": ESCALATION_MAX_LENGTH})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].required = True


class ActionForm(forms.ModelForm):
    row = forms.ChoiceField(label=_("Level"), choices=list(ROW_LABELS.items()))
    responsible = PersonChoiceField(
        label=_("Who"),
        queryset=User.objects.none(),
        error_messages={"invalid_choice": _("Choose a person who holds a role in this unit.")},
    )
    include_case_text = forms.BooleanField(
        label=_("Include the case's problem description in the tiltag"),
        required=False,
        help_text=_(
            "Off by default: the action plan is read by the whole unit, the case is confidential."
        ),
    )

    class Meta:
        model = CaseAction
        fields = ["row", "what", "responsible", "due", "include_case_text"]
        widgets = {"due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = people_around(unit)
        self.fields["row"].initial = Level.ORGANISATION
