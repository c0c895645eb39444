"""What every edit page shares: a service's errors onto its form, and the one edit-conflict rule.

Two people may edit the same thing at once (a tiltag, an assessment, a cell of a sten-i-skoen
matrix). Every such object carries a ``version``; a save is one UPDATE that writes only while the
row still has the version the form was loaded with (``update_if_unchanged``), so two concurrent
saves cannot both win. The loser's service raises ``EditConflict`` carrying the saved object, and
the page shows both texts instead of overwriting either.

A shared helper: imports no app of the project.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F

from amg_portal.urlconverters import MAX_ID


class EditConflict(ValidationError):
    """Someone else saved the object after the form was loaded; ``current`` is their version."""

    def __init__(self, message: str, *, current: Any) -> None:
        super().__init__(message, code="conflict")
        self.current = current


def update_if_unchanged(obj: models.Model, *, version: int | None, **values: Any) -> bool:
    """Write ``values`` to ``obj``'s row and count its version up, if the row still has
    ``version``; False (nothing written) when someone saved in between. One UPDATE."""
    rows = (
        type(obj)
        ._default_manager.filter(pk=obj.pk, version=version)
        .update(**values, version=F("version") + 1)
    )
    return rows == 1


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, on the field it names when there is one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    """People to pick (participants of a meeting or a case), shown by their names.

    A posted value that cannot be an id (past the database's integers) is refused like any other
    person not on the list: Django would otherwise send it into the query, which SQLite refuses
    with an error."""

    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # Django's own check names it
            if not 1 <= number <= MAX_ID:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)
