"""The dashboard's filter: a unit (with its subtree) and a period. Validation only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from amg_portal.organisation.models import Unit


class DashboardFilterForm(forms.Form):
    """Unit and period; the unit's access is checked by the view through ``unit_for_user``."""

    unit = forms.IntegerField(
        label=_("Unit (with the units below it)"),
        required=False,
        help_text=_("Show a unit to choose among the units right below it."),
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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Bootstrap's classes on the widgets themselves: the filter is drawn by hand, not by
        # crispy-forms (a third of the dashboard's drawing time for three fields).
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name == "unit" else "form-control"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] += " is-invalid"
                widget.attrs["aria-invalid"] = "true"
                described = [f"id_{name}_error_1"]
                if self.fields[name].help_text:
                    described.append(f"id_{name}_helptext")
                widget.attrs["aria-describedby"] = " ".join(described)

    def offer_units(self, units: list[Unit]) -> None:
        """The units to choose from: a bounded window of the tree around the chosen unit (its
        ancestors, itself and its direct sub-units), indented by depth."""
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
