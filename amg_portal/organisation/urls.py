from django.urls import path

from amg_portal.organisation import import_views, views

app_name = "organisation"

urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
    path("<int:pk>/rediger/", views.unit_edit, name="unit_edit"),
    path("hr-import/", import_views.organisation_import, name="import"),
    path("hr-import/<int:pk>/", import_views.organisation_import_detail, name="import_detail"),
    path("hr-import/<int:pk>/anvend/", import_views.organisation_import_apply, name="import_apply"),
]
