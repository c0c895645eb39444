from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from amg_portal.organisation.models import AuditEntry, Membership, Unit, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user", "unit"]
    fields = ["user", "unit", "role", "source"]
    readonly_fields = ["source"]  # set by the HR import; a role added here is "by hand"


@admin.register(Unit)
class UnitAdmin(TreeAdmin):
    form = movenodeform_factory(Unit)
    list_display = ["name", "kind", "headcount", "hr_id", "archived_at"]
    list_filter = ["kind", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "short_name", "hr_id"]
    inlines = [MembershipInline]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_coordinator", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email", "person_id"]
    list_filter = ["is_coordinator", "is_staff", "is_active", "language"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("AMG-portal"), {"fields": ("language", "is_coordinator", "person_id")}),
    )
    inlines = [MembershipInline]
    actions = ["personal_data"]

    @admin.action(description=_("Personal data: export or erase"))
    def personal_data(self, request, queryset):
        user = queryset.first()
        return redirect("personal_data", pk=user.pk) if user else None


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit", "source"]
    list_filter = ["role", "source", "unit__kind"]
    readonly_fields = ["source", "organisation_import"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The coordinator reads the audit log; nobody adds, changes or deletes entries."""

    list_display = ["at", "kind", "actor_name", "unit", "target", "detail", "ip_address"]
    list_filter = ["kind", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_name", "target", "detail"]
    date_hierarchy = "at"
    list_select_related = ["unit"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.coordinates
