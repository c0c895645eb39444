"""The shared edit helpers: a service's errors land on the form where the user can act on them."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from amg_portal.editing import EditConflict, add_service_errors


class TitleForm(forms.Form):
    title = forms.CharField()


def _form() -> TitleForm:
    form = TitleForm({"title": "Fælles frist-kalender"})
    assert form.is_valid()
    return form


def test_it_puts_an_error_on_the_field_it_names():
    form = _form()
    add_service_errors(form, ValidationError({"title": "Titlen findes allerede."}))
    assert form.errors == {"title": ["Titlen findes allerede."]}


def test_it_puts_an_error_for_an_unknown_field_at_the_top_of_the_form():
    form = _form()
    add_service_errors(form, ValidationError({"deadline": "Fristen ligger før starten."}))
    assert form.non_field_errors() == ["Fristen ligger før starten."]
    assert "title" not in form.errors


def test_it_puts_a_plain_error_at_the_top_of_the_form_with_its_parameters():
    form = _form()
    add_service_errors(form, ValidationError("%(n)d tiltag mangler.", params={"n": 2}))
    assert form.non_field_errors() == ["2 tiltag mangler."]


def test_a_conflict_is_a_validation_error_that_carries_the_saved_version():
    saved = object()
    conflict = EditConflict("Gemt af en anden.", current=saved)
    assert isinstance(conflict, ValidationError)
    assert conflict.current is saved
    assert conflict.code == "conflict"
    assert conflict.messages == ["Gemt af en anden."]
