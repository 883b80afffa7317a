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
]
