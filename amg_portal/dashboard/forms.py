"""The dashboard's filter: a unit (with its subtree) and a period. Validation only."""

from __future__ import annotations

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from amg_portal.organisation.access import Action
from amg_portal.organisation.models import Unit, User


class DashboardFilterForm(forms.Form):
    """Unit and period; the unit's access is checked by the view through ``unit_for_user``."""

    unit = forms.IntegerField(
        label=_("Unit (with the units below it)"),
        required=False,
        widget=forms.Select,
        error_messages={"invalid": _("Choose a unit from the list.")},
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, e.g. 2026-01-31.")},
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, e.g. 2026-12-31.")},
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        meetings = Unit.objects.permitting(user, Action.HOLD_MEETING).filter(pk=OuterRef("pk"))
        viewing = Unit.objects.permitting(user, Action.VIEW_DASHBOARD).filter(pk=OuterRef("pk"))
        units = list(
            Unit.objects.visible_to(user)
            .only("pk", "name", "depth", "path")
            .annotate(may_meet=Exists(meetings), may_view=Exists(viewing))
        )
        self.units = units  # the page reuses them: who holds more than the reduced view
        base = min((u.depth for u in units), default=1)
        self.fields["unit"].widget.choices = [("", _("All my units"))] + [
            (u.pk, "\u2003" * (u.depth - base) + u.name) for u in units
        ]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period must be on or after its start."))
        return data
