from django.urls import path

from . import views

app_name = "proposals"
urlpatterns = [
    path("", views.index, name="index"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:call_pk>/new/", views.submission_new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("search/", views.search, name="search"),
    path("issues/<int:pk>/", views.submission_detail, name="submission"),
    path("issues/<int:pk>/edit/", views.submission_edit, name="edit"),
    path("issues/<int:pk>/submit/", views.submission_submit, name="submit"),
    path("issues/<int:pk>/withdraw/", views.submission_withdraw, name="withdraw"),
    path("issues/<int:pk>/delete/", views.submission_discard, name="discard"),
    path("issues/<int:pk>/endorse/", views.endorse, name="endorse"),
    path("endorsements/<int:pk>/withdraw/", views.unendorse, name="unendorse"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("attachments/<int:pk>/remove/", views.attachment_remove, name="remove_attachment"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/comment/", views.comment, name="comment"),
    path("versions/<int:pk>/proposal.docx", views.version_docx, name="version_docx"),
    path("versions/<int:pk>/proposal.pdf", views.version_pdf, name="version_pdf"),
    path("outcomes/", views.outcomes, name="outcomes"),
]
