from django.urls import path

from . import views

# The site's own pages keep their names: portal:home, portal:dashboard (LOGIN_REDIRECT_URL).
app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
