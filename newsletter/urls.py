from django.urls import path

from . import views
from .feeds import ArchiveFeed

app_name = "newsletter"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.issue, name="issue"),
    path("feed/", ArchiveFeed(), name="feed"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("preferences/", views.preferences, name="preferences"),
]
