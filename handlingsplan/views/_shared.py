"""Helpers of the views: fetch children through their unit, show an edit conflict field by field."""

from __future__ import annotations

from django import forms
from django.shortcuts import get_object_or_404

from amg_portal.organisation.access import Action, unit_for_user
from amg_portal.organisation.models import Unit, User
from handlingsplan import selectors
from handlingsplan.models import Cycle, Measure


def unit_for(user: User, unit_pk: int, action: Action) -> Unit:
    """The unit checked for ``action``; reading the APV is also open to the people below it."""
    if action == Action.READ_APV:
        unit = selectors.apv_units(user).filter(pk=unit_pk).first()
        if unit is not None:
            return unit
    # The access module answers (and audits) everything else: 404 outsider, 403 member.
    return unit_for_user(user, unit_pk, action)


def cycle_for(user: User, unit_pk: int, pk: int, action: Action) -> tuple[Unit, Cycle]:
    """The unit (checked for ``action``) and its cycle ``pk``; 404 when it is another unit's."""
    if action == Action.READ_APV:
        # The usual case in one query: the cycle with its unit, where the reader may read it.
        cycle = (
            Cycle.objects.filter(pk=pk, unit_id=unit_pk, unit__in=selectors.apv_units(user))
            .select_related("unit")
            .first()
        )
        if cycle is not None:
            return cycle.unit, cycle
    unit = unit_for(user, unit_pk, action)
    cycle = get_object_or_404(Cycle.objects.filter(unit=unit), pk=pk)
    cycle.unit = unit  # already loaded and checked: no second query for it
    return unit, cycle


def measure_for(user: User, unit_pk: int, pk: int, action: Action) -> tuple[Unit, Measure]:
    """The unit (checked for ``action``) and its measure ``pk``."""
    unit = unit_for(user, unit_pk, action)
    measures = Measure.objects.filter(unit=unit).select_related(
        "cycle", "responsible", "risk_factor", "source_round", "source_question"
    )
    return unit, get_object_or_404(measures, pk=pk)


def conflict_rows(form: forms.BaseForm, current) -> list[tuple[str, str, str]]:
    """(label, saved text, your text) for every field where the saved version differs."""
    rows = []
    for name, field in form.fields.items():
        if name == "version" or field.disabled:
            continue
        saved = getattr(current, name, "")
        raw = form.data.getlist(form.add_prefix(name)) if hasattr(form.data, "getlist") else []
        yours = ", ".join(raw) if len(raw) != 1 else raw[0]
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            labels = {str(k): str(v) for k, v in field.choices}
            saved_text = (
                ", ".join(labels.get(str(v), str(v)) for v in saved)
                if isinstance(saved, list)
                else labels.get(str(saved), str(saved))
            )
            yours = ", ".join(labels.get(v, v) for v in raw)
        elif isinstance(field, forms.ModelChoiceField):
            saved_text = str(saved or "")
            yours = ", ".join(
                str(o) for o in field.queryset.filter(pk__in=[r for r in raw if r.isdigit()])
            )
        else:
            saved_text = "" if saved is None else str(saved)
        if isinstance(field, forms.BooleanField):
            yours = str(bool(raw and raw[0] in ("on", "true", "1", "True")))
        if saved_text.strip() != (yours or "").strip():
            rows.append((str(field.label), saved_text, yours))
    return rows
