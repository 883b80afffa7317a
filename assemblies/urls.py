from django.urls import path

from . import views

app_name = "assemblies"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/proxy/", views.proxy, name="proxy"),
    path("<int:pk>/proxy/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/results/", views.results, name="results"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("<int:pk>/live/", views.live, name="live"),
    path("<int:pk>/open/", views.open_voting, name="open"),
    path("<int:pk>/close/", views.close_voting, name="close"),
    path("<int:pk>/chair/", views.chair, name="chair"),
    path("<int:pk>/remind/", views.remind, name="remind"),
    path("<int:pk>/roll/", views.roll, name="roll"),
    path("<int:pk>/roll/<int:entry_id>/", views.entry, name="entry"),
    path("<int:pk>/roll/<int:entry_id>/attend/", views.attend, name="attend"),
    path("<int:pk>/roll/<int:entry_id>/vote/", views.in_person_vote, name="in_person_vote"),
    path("<int:pk>/minutes.<str:fmt>", views.minutes_export, name="minutes"),
]
