from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("invoices/<token:number>.pdf", views.invoice_download, name="invoice"),
    path("invoices/<token:number>.xml", views.e_invoice_download, name="e_invoice"),
]
