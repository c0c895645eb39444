from django.urls import path

from amg_portal.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("moede/", views.meeting, name="meeting"),
]
