from django.urls import path

from . import views

app_name = "awards"
urlpatterns = [
    path("", views.index, name="index"),
    path("tracks/<int:track_id>/new/", views.entry_new, name="entry_new"),
    path("entries/<int:pk>/", views.entry, name="entry"),
    path("entries/<int:pk>/attachments/", views.entry_attach, name="entry_attach"),
    path("entries/<int:pk>/question/", views.entry_question, name="entry_question"),
    path("entries/<int:pk>/withdraw/", views.entry_withdraw, name="entry_withdraw"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("nominate/", views.nominate, name="nominate"),
    path("consent/<uuid:token>/", views.consent, name="consent"),
    path("judging/", views.workspace, name="judging"),
    path("judging/<int:round_id>/<int:entry_id>/", views.review, name="review"),
    path(
        "judging/<int:round_id>/<int:entry_id>/conflict/",
        views.declare_conflict,
        name="declare_conflict",
    ),
    path("rounds/<int:round_id>/results/", views.round_results, name="results"),
    path("winners/", views.winners, name="winners"),
    path("winners/<int:pk>/", views.winner, name="winner"),
]
