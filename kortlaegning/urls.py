from django.urls import path

from kortlaegning import answer_views, views

app_name = "kortlaegning"

round_path = "runder/<id:pk>/"
answer = "svar/<id:pk>/"

urlpatterns = [
    # The respondents' pages first: they are the busiest (a room answering at once), and Django
    # tries the patterns in order. No other pattern here starts with "svar/".
    path(answer, answer_views.answer_entry, name="answer_entry"),
    path(answer + "k/<str:token>/", answer_views.answer_code, name="answer_code"),
    path(answer + "i/<str:token>/", answer_views.answer_invitation, name="answer_invitation"),
    path(answer + "l/<str:token>/", answer_views.answer_open, name="answer_open"),
    path(answer + "trin/<int:step>/", answer_views.answer_step, name="answer_step"),
    path(answer + "afvist/<str:reason>/", answer_views.answer_refused, name="answer_refused"),
    path(answer + "tak/", answer_views.answer_done, name="answer_done"),
    path("", views.index, name="index"),
    path("ny/", views.round_create, name="round_create"),
    path(round_path, views.round_detail, name="round_detail"),
    path(round_path + "rediger/", views.round_edit, name="round_edit"),
    path(round_path + "aabn/", views.round_open, name="round_open"),
    path(round_path + "luk/", views.round_close, name="round_close"),
    path(round_path + "genaabn/", views.round_reopen, name="round_reopen"),
    path(round_path + "offentliggoer/", views.round_publish, name="round_publish"),
    path(round_path + "indsamling/", views.collection, name="collection"),
    path(round_path + "indsamling/koder/", views.codes_print, name="codes_print"),
    path(round_path + "indsamling/invitationer/", views.invitations_send, name="invitations_send"),
    path(
        round_path + "indsamling/paamindelse/", views.invitations_remind, name="invitations_remind"
    ),
    path(round_path + "indsamling/aabent-link/", views.open_link_create, name="open_link_create"),
    path(round_path + "dialog/", views.dialogue_record, name="dialogue_record"),
    path(round_path + "besvar-som-leder/", answer_views.answer_as_leader, name="answer_as_leader"),
    path(round_path + "resultater/", views.round_results, name="round_results"),
    path(round_path + "resultater.<str:fmt>", views.results_export, name="results_export"),
]
