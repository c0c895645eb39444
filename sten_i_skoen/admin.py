"""Only the access log is in the admin: cases are confidential and are read through the app's
pages, where every coordinator look is logged."""

from django.contrib import admin

from sten_i_skoen.models import CaseAccessLog


@admin.register(CaseAccessLog)
class CaseAccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "case_id", "what"]
    list_filter = ["what"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
