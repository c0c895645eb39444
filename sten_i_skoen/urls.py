from django.urls import path

from sten_i_skoen import views

app_name = "sten_i_skoen"

urlpatterns = [
    path("", views.index, name="index"),
]
