from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("organisation/", views.my_organisation, name="organisation"),
    path("organisation/edit/", views.edit_organisation, name="edit_organisation"),
    path("organisation/contacts/new/", views.edit_contact, name="add_contact"),
    path("organisation/contacts/<int:pk>/", views.edit_contact, name="edit_contact"),
    path("organisation/contacts/<int:pk>/invite/", views.invite_contact, name="invite_contact"),
    path("organisation/contacts/<int:pk>/remove/", views.remove_contact, name="remove_contact"),
    path("directory/", views.directory, name="directory"),
]
