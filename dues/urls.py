from django.urls import path

from . import views

app_name = "dues"
urlpatterns = [
    path("dues/", views.index, name="index"),
    path("dues/billing/", views.billing_profile, name="billing_profile"),
    path("units/", views.units, name="units"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/receipt/", views.receipt_pdf, name="receipt_pdf"),
]
