from django.urls import path

from sten_i_skoen import views

app_name = "sten_i_skoen"

urlpatterns = [
    path("", views.index, name="index"),
    path("enhed/<id:unit_pk>/ny/", views.case_create, name="case_create"),
    path("sag/<id:pk>/", views.case_detail, name="case_detail"),
    path("sag/<id:pk>/status/", views.case_status, name="case_status"),
    path("sag/<id:pk>/deltagere/", views.case_participants, name="case_participants"),
    path("sag/<id:pk>/videreforelse/", views.escalation_create, name="escalation_create"),
    path("sag/<id:pk>/handling/", views.action_create, name="action_create"),
    path("sag/<id:pk>/pdf/", views.case_pdf, name="case_pdf"),
    path("sag/<id:pk>/eksport.csv", views.case_export, name="case_export"),
    path("videreforelser/", views.inbox, name="inbox"),
    path("videreforelser/<id:pk>/", views.escalation_detail, name="escalation_detail"),
    path("videreforelser/<id:pk>/behandl/", views.escalation_take, name="escalation_take"),
]
