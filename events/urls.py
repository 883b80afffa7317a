from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    # Members and the public
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("mine/", views.mine, name="mine"),
    # The secretariat
    path("check-in/<uuid:token>/", views.check_in_code, name="check_in_code"),
    path("<int:pk>/check-in/", views.check_in, name="check_in"),
    path("<int:pk>/sign-in-sheet.pdf", views.sign_in_sheet, name="sign_in_sheet"),
    path("<int:pk>/report/", views.report, name="report"),
    path("registrations/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
]
