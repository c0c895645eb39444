"""The app's URLs plus the bare views every page is compared with."""

from django.urls import path

from amg_portal.urls import handler500  # noqa: F401
from amg_portal.urls import urlpatterns as app_urlpatterns
from bench import views

urlpatterns = [
    path("bench/bare/", views.bare, name="bench_bare"),
    path("bench/bare-insert/", views.bare_insert, name="bench_bare_insert"),
    *app_urlpatterns,
]
