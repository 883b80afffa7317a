from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("invitation/<str:token>/", views.accept_invitation, name="invitation"),
    path("privacy/", views.privacy_policy, name="privacy"),
    path("privacy/consent/", views.privacy_consent, name="privacy_consent"),
]
