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

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from amg_portal.organisation.access import UnitManager


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

    node_order_by = ["name"]
    objects = UnitManager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

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


class Membership(models.Model):
    """A role held by a user on a unit (and so on its subtree)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

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

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.actor_name}"


class RateLimitCounter(models.Model):
    """Requests counted per key and fixed time window, shared by every worker process.

    The key is a keyed hash of scope and client address: raw IP addresses are never stored.
    """

    key = models.CharField(max_length=64)
    window_start = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window_start"], name="organisation_ratelimitcounter_unique_window"
            ),
        ]
        indexes = [models.Index(fields=["window_start"], name="organisation_rl_window_idx")]

    def __str__(self) -> str:
        return f"{self.key[:8]}… @{self.window_start}: {self.count}"
