from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("organisation/", views.my_organisation, name="organisation"),
    path("organisation/edit/", views.edit_organisation, name="edit_organisation"),
    path("dues/", views.dues, name="dues"),
    path("units/", views.units, name="units"),
    path("directory/", views.directory, name="directory"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/receipt/", views.receipt_pdf, name="receipt_pdf"),
]
