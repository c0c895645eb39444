"""The coordinator's organisation import: upload both files → preview the changes → apply."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from amg_portal.organisation import hr_files, services
from amg_portal.organisation.access import require_coordinator
from amg_portal.organisation.forms import OrganisationImportForm
from amg_portal.organisation.hr_import import Plan
from amg_portal.organisation.models import OrganisationImport
from amg_portal.organisation.reporting import has_changes, summary_table

RECENT = 10


def _too_large(request: HttpRequest) -> bool:
    """Refuse a body far above the cap before Django reads it (two files and a form)."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    return length.isdigit() and int(length) > 2 * hr_files.max_bytes() + 64 * 1024


def _page(
    request: HttpRequest, form, plan: Plan | None = None, status: int = 200, error: str = ""
) -> HttpResponse:
    recent = OrganisationImport.objects.filter(status=OrganisationImport.Status.APPLIED)
    context = {
        "form": form,
        "plan": plan,
        "error": error,
        "table": summary_table(plan.summary()) if plan and plan.ok else None,
        "recent": recent.select_related("by")[:RECENT],
        "max_size": hr_files.size_text(hr_files.max_bytes()),
    }
    return render(request, "organisation/import.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_import(request: HttpRequest) -> HttpResponse:
    """Upload the units and people files; problems are listed here, changes on the preview."""
    require_coordinator(request.user)
    if request.method == "POST" and _too_large(request):
        limit = hr_files.size_text(hr_files.max_bytes())
        error = _("The files are too large: at most %(size)s each.") % {"size": limit}
        return _page(request, OrganisationImportForm(), status=413, error=error)
    form = OrganisationImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        units, people = form.cleaned_data["units"], form.cleaned_data["people"]
        plan, record = services.organisation_import_stage(
            units_name=units.name,
            units_data=units.read(),
            people_name=people.name,
            people_data=people.read(),
            by=request.user,
        )
        if record is not None:
            return redirect("organisation:import_detail", pk=record.pk)
        return _page(request, OrganisationImportForm(), plan)
    return _page(request, form)


@login_required
@require_safe
def organisation_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A preview waiting to be applied, or an applied import with what it changed."""
    require_coordinator(request.user)
    record = get_object_or_404(OrganisationImport.objects.select_related("by"), pk=pk)
    return render(
        request,
        "organisation/import_detail.html",
        {
            "record": record,
            "table": summary_table(record.summary),
            "has_changes": has_changes(record.summary),
            "audit_entries": record.audit_entries.count(),
        },
    )


@login_required
@require_POST
def organisation_import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply a preview, all or nothing, if it still shows exactly what would change."""
    require_coordinator(request.user)
    preview = get_object_or_404(OrganisationImport, pk=pk, status=OrganisationImport.Status.PREVIEW)
    try:
        _plan, record = services.organisation_import_apply_preview(preview=preview, by=request.user)
    except services.ImportRejected as rejected:
        if not rejected.outdated:
            messages.error(request, _("The files can no longer be imported; nothing was changed."))
            return _page(request, OrganisationImportForm(), rejected.plan, status=409)
        services.organisation_import_refresh(preview=preview, plan=rejected.plan)
        messages.warning(
            request,
            _(
                "The organisation has changed since the preview. Nothing was changed: "
                "check the updated preview and apply again."
            ),
        )
        return redirect("organisation:import_detail", pk=preview.pk)
    if record is None:
        messages.info(request, _("Nothing to change: the organisation already matches the files."))
        return redirect("organisation:import")
    messages.success(request, _("The import has been applied."))
    return redirect("organisation:import_detail", pk=record.pk)
