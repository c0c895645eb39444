from django.urls import path

from kortlaegning import answer_views, views

app_name = "kortlaegning"

round = "runder/<int:pk>/"
answer = "svar/<int:pk>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("ny/", views.round_create, name="round_create"),
    path(round, views.round_detail, name="round_detail"),
    path(round + "rediger/", views.round_edit, name="round_edit"),
    path(round + "aabn/", views.round_open, name="round_open"),
    path(round + "luk/", views.round_close, name="round_close"),
    path(round + "genaabn/", views.round_reopen, name="round_reopen"),
    path(round + "offentliggoer/", views.round_publish, name="round_publish"),
    path(round + "indsamling/", views.collection, name="collection"),
    path(round + "indsamling/koder/", views.codes_print, name="codes_print"),
    path(round + "indsamling/invitationer/", views.invitations_send, name="invitations_send"),
    path(round + "indsamling/paamindelse/", views.invitations_remind, name="invitations_remind"),
    path(round + "indsamling/aabent-link/", views.open_link_create, name="open_link_create"),
    path(round + "dialog/", views.dialogue_record, name="dialogue_record"),
    path(round + "besvar-som-leder/", answer_views.answer_as_leader, name="answer_as_leader"),
    path(round + "resultater/", views.round_results, name="round_results"),
    path(round + "resultater.<str:fmt>", views.results_export, name="results_export"),
    path(answer, answer_views.answer_entry, name="answer_entry"),
    path(answer + "k/<str:token>/", answer_views.answer_code, name="answer_code"),
    path(answer + "i/<str:token>/", answer_views.answer_invitation, name="answer_invitation"),
    path(answer + "l/<str:token>/", answer_views.answer_open, name="answer_open"),
    path(answer + "trin/<int:step>/", answer_views.answer_step, name="answer_step"),
    path(answer + "afvist/<str:reason>/", answer_views.answer_refused, name="answer_refused"),
    path(answer + "tak/", answer_views.answer_done, name="answer_done"),
]
