from django.urls import path

from amg_portal.organisation import views

app_name = "organisation"

urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
    path("<int:pk>/rediger/", views.unit_edit, name="unit_edit"),
]
