"""Write operations on units and users."""

from __future__ import annotations

import hashlib
import logging

from django.db import transaction
from django.utils import timezone

from amg_portal.organisation import audit, hr_apply, hr_import
from amg_portal.organisation.models import OrganisationImport, Unit, User

import_logger = logging.getLogger("amg_portal.organisation.import")


def unit_create(*, parent: Unit | None, name: str, kind: str, headcount: int = 0) -> Unit:
    """Add a unit under ``parent`` (or a new root); siblings stay ordered by name."""
    fields = {"name": name, "kind": kind, "headcount": headcount}
    if parent is None:
        return Unit.objects.add_root(create_kwargs=fields)
    return Unit.objects.add_child(parent, create_kwargs=fields)


@transaction.atomic
def unit_update(*, unit: Unit, name: str, short_name: str, headcount: int) -> Unit:
    """Rename a unit or change its headcount."""
    unit.name = name
    unit.short_name = short_name
    unit.headcount = headcount
    unit.save(update_fields=["name", "short_name", "headcount"])
    return unit


def user_set_language(*, user: User, language: str) -> None:
    """Remember a user's preferred language (called from the header switch and the profile)."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


# -- organisation import (HR export → units, people, roles) ------------------------------------


class ImportRejected(Exception):
    """The files have problems (``plan.problems``) or the preview is outdated: nothing written."""

    def __init__(self, plan: hr_import.Plan, *, outdated: bool = False):
        super().__init__("organisation import rejected")
        self.plan = plan
        self.outdated = outdated


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def organisation_import_check(*, units_data: bytes, people_data: bytes) -> hr_import.Plan:
    """The dry run: every problem, or every change the import would make. Writes nothing."""
    plan = hr_import.plan_import(units_data=units_data, people_data=people_data)
    if not plan.ok:
        _log_rejected(plan)
    return plan


def _log_rejected(plan: hr_import.Plan) -> None:
    import_logger.warning(
        "organisation import rejected: %d problem(s), first: %s",
        len(plan.problems),
        audit.escape(plan.problems[0]),
    )


@transaction.atomic
def organisation_import_stage(
    *, units_name: str, units_data: bytes, people_name: str, people_data: bytes, by: User
) -> tuple[hr_import.Plan, OrganisationImport | None]:
    """Check uploaded files and keep them for applying after the preview (None: nothing to do).

    Older previews are deleted: only the newest upload can be applied, and files full of names
    and e-mail addresses are not kept longer than needed.
    """
    plan = organisation_import_check(units_data=units_data, people_data=people_data)
    OrganisationImport.objects.filter(status=OrganisationImport.Status.PREVIEW).delete()
    if not plan.ok or not plan.changes:
        return plan, None
    record = OrganisationImport.objects.create(
        source=OrganisationImport.Source.PAGE,
        by=by,
        units_name=units_name[:200],
        people_name=people_name[:200],
        units_sha256=_sha256(units_data),
        people_sha256=_sha256(people_data),
        units_data=units_data,
        people_data=people_data,
        plan_digest=plan.digest(),
        summary=plan.summary(),
    )
    return plan, record


@transaction.atomic
def organisation_import_apply(
    *,
    units_data: bytes,
    people_data: bytes,
    by: User | None,
    source: str,
    units_name: str = "",
    people_name: str = "",
    preview: OrganisationImport | None = None,
) -> tuple[hr_import.Plan, OrganisationImport | None]:
    """Apply the files all or nothing (None when nothing changes); raises ``ImportRejected``.

    With ``preview``, the import applies only if it would make exactly the changes the preview
    showed (someone may have changed the organisation in between).
    """
    hr_apply.lock()
    plan = hr_import.plan_import(units_data=units_data, people_data=people_data)
    if not plan.ok:
        _log_rejected(plan)
        raise ImportRejected(plan)
    if preview is not None and plan.digest() != preview.plan_digest:
        raise ImportRejected(plan, outdated=True)
    if not plan.changes:
        OrganisationImport.objects.filter(pk=getattr(preview, "pk", None)).delete()
        return plan, None
    record = preview or OrganisationImport(source=source, by=by)
    record.by = by
    record.status = OrganisationImport.Status.APPLIED
    record.applied_at = timezone.now()
    record.units_name, record.people_name = units_name[:200], people_name[:200]
    record.units_sha256, record.people_sha256 = _sha256(units_data), _sha256(people_data)
    record.units_data = record.people_data = b""
    record.plan_digest, record.summary = plan.digest(), plan.summary()
    record.save()
    hr_apply.apply_plan(plan=plan, record=record)
    return plan, record


def organisation_import_apply_preview(
    *, preview: OrganisationImport, by: User
) -> tuple[hr_import.Plan, OrganisationImport | None]:
    """Apply the files kept with a preview (see ``organisation_import_apply``)."""
    return organisation_import_apply(
        units_data=bytes(preview.units_data),
        people_data=bytes(preview.people_data),
        by=by,
        source=OrganisationImport.Source.PAGE,
        units_name=preview.units_name,
        people_name=preview.people_name,
        preview=preview,
    )


def organisation_import_refresh(*, preview: OrganisationImport, plan: hr_import.Plan) -> None:
    """Show a preview's files' changes as they are now (after the organisation changed)."""
    preview.plan_digest, preview.summary = plan.digest(), plan.summary()
    preview.save(update_fields=["plan_digest", "summary"])
