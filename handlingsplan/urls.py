from django.urls import path

from handlingsplan import views

app_name = "handlingsplan"

unit = "enhed/<id:unit_pk>/"
cycle = unit + "forloeb/<id:pk>/"
measure = unit + "tiltag/<id:pk>/"
meeting = unit + "statusmoede/<id:pk>/"

urlpatterns = [
    path("", views.index, name="index"),
    path(unit + "forloeb/nyt/", views.cycle_create, name="cycle_create"),
    path(cycle, views.cycle_detail, name="cycle_detail"),
    path(cycle + "trin/", views.cycle_step, name="cycle_step"),
    path(cycle + "retningslinjer/", views.cycle_guidelines, name="cycle_guidelines"),
    path(cycle + "risikofaktor/ny/", views.risk_factor_create, name="risk_factor_create"),
    path(cycle + "risikofaktor/<id:rf_pk>/", views.risk_factor_edit, name="risk_factor_edit"),
    path(
        cycle + "risikofaktor/<id:rf_pk>/vurdering/",
        views.assessment_edit,
        name="assessment_edit",
    ),
    path(cycle + "fravaer/ny/", views.absence_create, name="absence_create"),
    path(cycle + "samtalenote/ny/", views.note_create, name="note_create"),
    path(cycle + "apv/", views.apv_read, name="apv_read"),
    path(cycle + "apv.pdf", views.apv_pdf, name="apv_pdf"),
    path(unit + "tiltag/", views.measure_list, name="measure_list"),
    path(unit + "tiltag/tavle/", views.measure_board, name="measure_board"),
    path(unit + "tiltag/ny/", views.measure_create, name="measure_create"),
    path(measure, views.measure_detail, name="measure_detail"),
    path(measure + "rediger/", views.measure_edit, name="measure_edit"),
    path(measure + "delmaal/", views.milestone_add, name="milestone_add"),
    path(measure + "delmaal/<id:m_pk>/", views.milestone_done, name="milestone_done"),
    path(measure + "opfoelgning/", views.follow_up_add, name="follow_up_add"),
    path(unit + "statusmoede/nyt/", views.meeting_create, name="meeting_create"),
    path(meeting, views.meeting_detail, name="meeting_detail"),
    path(
        meeting + "tiltag/<id:measure_pk>/",
        views.evaluation_record,
        name="evaluation_record",
    ),
    path(meeting + "referat.pdf", views.meeting_pdf, name="meeting_pdf"),
    path("kalender/", views.calendar_settings, name="calendar_settings"),
    path("kalender/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
