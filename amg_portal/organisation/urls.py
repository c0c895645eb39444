from django.urls import path

from amg_portal.organisation import import_views, views

app_name = "organisation"

urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("<id:pk>/", views.unit_detail, name="unit_detail"),
    path("<id:pk>/rediger/", views.unit_edit, name="unit_edit"),
    path("hr-import/", import_views.organisation_import, name="import"),
    path("hr-import/<id:pk>/", import_views.organisation_import_detail, name="import_detail"),
    path("hr-import/<id:pk>/anvend/", import_views.organisation_import_apply, name="import_apply"),
]
