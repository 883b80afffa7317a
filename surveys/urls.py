from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.answer, name="answer"),
    path("<int:pk>/autosave/", views.autosave, name="autosave"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results/<int:question_id>/texts/", views.texts, name="texts"),
    path("<int:pk>/results/<int:question_id>/chart.svg", views.chart, name="chart"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/export.<str:fmt>", views.export, name="export"),
    path("bank/<slug:code>/", views.bank, name="bank"),
]
