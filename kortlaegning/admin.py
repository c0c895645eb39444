"""Admin for the catalogue and rounds. Changing a question's wording creates a new version.

Responses are not in the admin on purpose: nobody browses individual answers.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kortlaegning import services
from kortlaegning.models import Question, QuestionVersion, Round, RoundEvent


class QuestionVersionInline(admin.TabularInline):
    model = QuestionVersion
    extra = 0
    can_delete = False
    fields = ["number", "text_da", "text_en", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class QuestionForm(forms.ModelForm):
    """The question with its current wording; a changed wording is saved as a new version."""

    text_da = forms.CharField(label=_("Danish text"), widget=forms.Textarea(attrs={"rows": 3}))
    text_en = forms.CharField(
        label=_("English text"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    class Meta:
        model = Question
        fields = ["level", "position", "sort_key", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.current_version() if self.instance.pk else None
        if current:
            self.fields["text_da"].initial = current.text_da
            self.fields["text_en"].initial = current.text_en


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    list_display = ["code", "current_text", "is_active"]
    list_filter = ["level", "is_active"]
    inlines = [QuestionVersionInline]

    @admin.display(description=_("text"))
    def current_text(self, obj: Question) -> str:
        current = obj.current_version()
        return current.text() if current else ""

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        try:
            services.question_revise(
                question=obj,
                text_da=form.cleaned_data["text_da"],
                text_en=form.cleaned_data.get("text_en", ""),
            )
        except ValidationError as error:  # pragma: no cover - the form requires the text
            self.message_user(request, "; ".join(error.messages), level="error")


class RoundEventInline(admin.TabularInline):
    model = RoundEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "by", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    """Read-only: rounds change through the portal's pages and their rules."""

    list_display = ["title", "unit", "status", "mode", "opens_on", "closes_on"]
    list_filter = ["status", "mode"]
    search_fields = ["title", "unit__name"]
    list_select_related = ["unit"]
    inlines = [RoundEventInline]
    exclude = ["open_link_hash"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
