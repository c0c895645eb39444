"""Units, users and roles.

The organisation is a tree (SDU → hovedområde → institut/afdeling → forskningsgruppe/sektion).
We store it as a materialized path with django-treebeard's ``MP_Node``: every unit carries the
path of its ancestors as a string prefix, so "this unit and everything below it" is one indexed
``path LIKE 'prefix%'`` query and "the ancestors of this unit" is a lookup on the path's own
prefixes — no query per level, and no recursive CTE that SQLite and PostgreSQL spell differently.
The tree changes rarely (re-organisations) while subtree reads happen on every page, which is the
trade-off materialized paths are made for.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from amg_portal.organisation.rights import (
    COORDINATOR_EXCLUDED,
    EVERYONE,
    RIGHTS,
    Action,
    is_active_user,
    is_coordinator,
)

# The user's roles, loaded once per user object: every rule below is a prefix test on them. A
# membership saved or deleted, or a unit saved (its path may have moved), bumps the generation
# (organisation/signals.py), so no cached role list outlives a change; the HR import, which writes
# in bulk without signals, bumps it itself.
_generation = 0


def forget_roles() -> None:
    """Every role list cached on a user object is stale from now on."""
    global _generation
    _generation += 1


def role_paths(user) -> tuple[tuple[str, str], ...]:
    """(unit path, role) for every role ``user`` holds: one query per user object (and again only
    after a membership or a unit changed)."""
    if not is_active_user(user):
        return ()
    cached = user.__dict__.get("_amg_role_paths")
    if cached is not None and cached[0] == _generation:
        return cached[1]
    generation = _generation
    rows = tuple(Membership.objects.filter(user=user).values_list("unit__path", "role"))
    user.__dict__["_amg_role_paths"] = (generation, rows)
    return rows


def subtree_roots(paths: set[str]) -> list[str]:
    """The paths of ``paths`` that no other path of it lies above, sorted."""
    roots: list[str] = []
    for path in sorted(paths):  # an ancestor sorts before its descendants
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    return roots


# The rules below as conditions on a unit's path, reached from any model through ``through``
# (e.g. "unit" for a model's ``unit`` foreign key, "" for Unit itself): a filter on a joined row
# is cheaper to build and to run than ``unit__in=<subquery>``, and it is the same rule.
NOTHING = Q(pk__in=[])


def on_path(through: str, lookup: str, value) -> Q:
    """A condition on the path of the unit reached through ``through`` ("" for Unit itself)."""
    return Q(**{f"{through}__path__{lookup}" if through else f"path__{lookup}": value})


def _everything(through: str) -> Q:
    # Not ``Q()``: an empty Q vanishes when or-ed with another condition.
    return on_path(through, "startswith", "")


def _covered_by_roles(user, roles, through: str) -> Q:
    # A unit is covered when the user holds one of ``roles`` on it or on a unit above it: its
    # path starts with one of a few literal prefixes (an index range scan, cheap to build).
    roots = subtree_roots({path for path, role in role_paths(user) if role in roles})
    if not roots:
        return NOTHING
    return reduce(or_, (on_path(through, "startswith", root) for root in roots))


def visible_rule(user, *, through: str = "") -> Q:
    """Units the user holds any role on, with their subtrees; everything for the coordinator."""
    if is_coordinator(user):
        return _everything(through)
    if not is_active_user(user):
        return NOTHING
    return _covered_by_roles(user, EVERYONE, through)


def members_below_rule(user, *, through: str = "") -> Q:
    """Units on which, or anywhere below which, the user holds a role.

    The people of a research group are also employees of its institute: what a unit makes
    available to all its employees (its written APV, published mapping results) is read from
    below as well. Everything else still needs a role on the unit or above it.
    """
    if is_coordinator(user):
        return _everything(through)
    if not is_active_user(user):
        return NOTHING
    step = Unit.steplen
    above = {path[:end] for path, _ in role_paths(user) for end in range(step, len(path) + 1, step)}
    if not above:
        return NOTHING
    return on_path(through, "in", sorted(above))


def permitting_rule(user, action: Action, *, through: str = "") -> Q:
    """Units on which the user may do ``action``."""
    if is_coordinator(user):
        return NOTHING if action in COORDINATOR_EXCLUDED else _everything(through)
    if not is_active_user(user):
        return NOTHING
    return _covered_by_roles(user, RIGHTS[action], through)


class UnitQuerySet(MP_NodeQuerySet):
    """Unit queries scoped to what a user may see or do (the rights table of ``rights.py``;
    ``access.py`` documents the rule and answers for single units). The same rules reach other
    models' rows through their unit as ``*_rule(user, through="unit")``."""

    def _where(self, rule: Q) -> QuerySet:
        return self.none() if rule is NOTHING else self.filter(rule)

    def visible_to(self, user) -> QuerySet:
        """Units the user holds any role on, with their subtrees; everything for the coordinator."""
        return self._where(visible_rule(user))

    def with_members_below(self, user) -> QuerySet:
        """Units on which, or anywhere below which, the user holds a role (see
        ``members_below_rule``)."""
        return self._where(members_below_rule(user))

    def permitting(self, user, action: Action) -> QuerySet:
        """Units on which the user may do ``action``."""
        return self._where(permitting_rule(user, action))


class UnitManager(MP_NodeManager.from_queryset(UnitQuerySet)):
    def get_queryset(self) -> UnitQuerySet:
        return UnitQuerySet(self.model, using=self._db).order_by("path")


class Unit(MP_Node):
    """A node in the organisation tree."""

    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("University")
        FACULTY = "faculty", _("Faculty (hovedområde)")
        INSTITUTE = "institute", _("Institute")
        DEPARTMENT = "department", _("Department")
        RESEARCH_GROUP = "research_group", _("Research group")
        SECTION = "section", _("Section")
        GROUP = "group", _("Group")

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    headcount = models.PositiveIntegerField(
        _("headcount"),
        default=0,
        help_text=_("Number of employees in the unit itself (used for response rates)."),
    )
    # The HR system's id of the unit: how an organisation import recognises it (None = by hand).
    hr_id = models.CharField(_("HR id"), max_length=64, unique=True, null=True, blank=True)
    # Set when the unit left the HR export: it keeps its history but gets no new rounds.
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    node_order_by = ["name"]
    objects = UnitManager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def ancestor_paths(self) -> list[str]:
        """The paths of this unit and all its ancestors, root first (no query)."""
        return [self.path[:end] for end in range(self.steplen, len(self.path) + 1, self.steplen)]

    def subtree(self) -> models.QuerySet[Unit]:
        """This unit and all units below it, in tree order (one query)."""
        return Unit.objects.filter(path__startswith=self.path)

    def ancestors(self) -> models.QuerySet[Unit]:
        """The units above this one, root first (one query)."""
        return Unit.objects.filter(path__in=self.ancestor_paths()[:-1])


class User(AbstractUser):
    """A person using the portal. Roles live on ``Membership``; the coordinator flag is global."""

    class Language(models.TextChoices):
        DANISH = "da", "Dansk"
        ENGLISH = "en", "English"

    language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.DANISH
    )
    is_coordinator = models.BooleanField(
        _("work-environment coordinator"),
        default=False,
        help_text=_("Administers the whole portal: units, users, roles and the admin site."),
    )
    # The HR system's stable id of the person (organisation import, single sign-on matching).
    person_id = models.CharField(
        _("person id (HR)"), max_length=64, unique=True, null=True, blank=True
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def coordinates(self) -> bool:
        """True for an active coordinator, who may act on every unit."""
        return self.is_active and self.is_coordinator

    def has_perm(self, perm, obj=None) -> bool:
        # The coordinator administers everything in the admin, like a superuser of this portal.
        return self.coordinates or super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        return self.coordinates or super().has_module_perms(app_label)


class Role(models.TextChoices):
    """A user's role on a unit; it covers the unit's whole subtree."""

    LEADER = "leader", _("Leader")
    AMR = "amr", _("Work-environment representative (AMR)")
    TR = "tr", _("Union representative (TR)")
    AMG = "amg", _("AMG member")
    EMPLOYEE = "employee", _("Employee")


class OrganisationImport(models.Model):
    """One run of the organisation import: a preview waiting to be applied, or an applied sync.

    A preview keeps the uploaded files until it is applied or replaced (then they are wiped);
    an applied import keeps only its file names, checksums and counts, and every change it made
    points back to it (``Membership.organisation_import``, ``AuditEntry.organisation_import``).
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Preview")
        APPLIED = "applied", _("Applied")

    class Source(models.TextChoices):
        PAGE = "page", _("Upload page")
        COMMAND = "command", _("Command line")

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PREVIEW
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    by = models.ForeignKey(
        "User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    units_name = models.CharField(_("units file"), max_length=200, blank=True)
    people_name = models.CharField(_("people file"), max_length=200, blank=True)
    units_sha256 = models.CharField(max_length=64, blank=True)
    people_sha256 = models.CharField(max_length=64, blank=True)
    units_data = models.BinaryField(default=b"", blank=True)
    people_data = models.BinaryField(default=b"", blank=True)
    # A digest of the planned changes: applying refuses when the plan has changed since preview.
    plan_digest = models.CharField(max_length=64, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("organisation import")
        verbose_name_plural = _("organisation imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.created_at:%Y-%m-%d %H:%M}"


class Membership(models.Model):
    """A role held by a user on a unit (and so on its subtree)."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Assigned by hand")
        IMPORTED = "imported", _("From the HR import")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # Imported roles are replaced by the next import; roles assigned by hand are never touched.
    source = models.CharField(
        _("origin"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    organisation_import = models.ForeignKey(
        OrganisationImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
        verbose_name=_("import"),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["unit__path", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"], name="organisation_membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"


class AuditEntry(models.Model):
    """One security-relevant event. Written by ``audit.record``; never edited from the app."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logout")
        ACCESS_DENIED = "access_denied", _("Access denied")
        EXPORT = "export", _("Export of results")
        CONFIDENTIAL_VIEW = "confidential_view", _("View of a confidential case")
        RESULTS_READ = "results_read", _("Results viewed or exported")
        PERSONAL_DATA = "personal_data", _("Personal data exported or deleted")
        ADMIN = "admin", _("Administration")
        IMPORT = "import", _("Organisation import")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_name = models.CharField(_("username"), max_length=150, blank=True)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("unit"),
    )
    target = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    organisation_import = models.ForeignKey(
        OrganisationImport,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
        verbose_name=_("import"),
    )

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.actor_name}"
