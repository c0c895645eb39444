from django.urls import path

from kortlaegning import views

app_name = "kortlaegning"

urlpatterns = [
    path("", views.index, name="index"),
]
