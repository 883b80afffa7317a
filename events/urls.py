from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    # Members and the public
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/calendar.ics", views.ics, name="ics"),
    path("mine/", views.mine, name="mine"),
    path("registrations/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("registrations/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("materials/<int:pk>/", views.material, name="material"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/<slug:token>.ics", views.feed, name="feed"),
    # The secretariat
    path("check-in/<uuid:token>/", views.check_in_code, name="check_in_code"),
    path("<int:pk>/check-in/", views.check_in, name="check_in"),
    path("<int:pk>/sign-in-sheet.pdf", views.sign_in_sheet, name="sign_in_sheet"),
    path("<int:pk>/report/", views.report, name="report"),
    path("registrations/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
]
