"""Data-protection duties for one person: export what we hold about them, and erase it.

Erasure pseudonymises rather than deletes the user row: the §26 documentation (who assessed, who
decided, who is responsible for a tiltag) must stay consistent, so every record that named the
person keeps pointing at "Slettet bruger <id>" with no name, e-mail, roles or login left.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from amg_portal.organisation import audit
from amg_portal.organisation.models import AuditEntry, Membership, User


def _references(user: User) -> list[dict[str, Any]]:
    """Every row in any app that points at the user, by model and field (ids only, no content)."""
    found = []
    for model in apps.get_models():
        fields = [
            f
            for f in model._meta.get_fields()
            if f.concrete
            and isinstance(f, models.ForeignKey | models.ManyToManyField)
            and f.related_model is User
        ]
        for field in fields:
            ids = list(
                model._default_manager.filter(**{field.name: user}).values_list("pk", flat=True)
            )
            if ids:
                found.append(
                    {
                        "model": f"{model._meta.app_label}.{model._meta.model_name}",
                        "field": field.name,
                        "ids": [str(pk) for pk in ids],
                    }
                )
    return found


def user_personal_data(*, user: User) -> dict[str, Any]:
    """Everything the portal holds about one person, as JSON-ready data."""
    return {
        "user": {
            "id": user.pk,
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "person_id": user.person_id,
            "language": user.language,
            "is_active": user.is_active,
            "is_coordinator": user.is_coordinator,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "roles": [
            {"unit": m.unit.name, "role": m.role}
            for m in Membership.objects.filter(user=user).select_related("unit")
        ],
        "second_factor_devices": list(
            TOTPDevice.objects.filter(user=user).values_list("name", flat=True)
        ),
        "audit_log": [
            {"at": e.at.isoformat(), "kind": e.kind, "target": e.target, "ip": e.ip_address}
            for e in AuditEntry.objects.filter(actor=user)
        ],
        "referenced_by": _references(user),
    }


@transaction.atomic
def user_erase(*, user: User, by: User) -> User:
    """Pseudonymise a person: no name, e-mail, roles, devices or login remain."""
    label = f"slettet-{user.pk}"
    audit.record(
        kind=AuditEntry.Kind.PERSONAL_DATA, actor=by, target=f"user {user.pk}", detail="erase"
    )
    Membership.objects.filter(user=user).delete()
    TOTPDevice.objects.filter(user=user).delete()
    AuditEntry.objects.filter(actor=user).update(actor_name=label)
    user.username = label
    user.first_name = "Slettet"
    user.last_name = "bruger"
    user.email = ""
    user.person_id = None  # a later HR import treats a returning person as a new account
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.is_coordinator = False
    AbstractBaseUser.set_unusable_password(user)
    user.save()
    return user
