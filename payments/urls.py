from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("enrolments/<id:pk>/pay/", views.pay, name="pay"),
    path("enrolments/<id:pk>/paid/", views.payment_return, name="return"),
    path("enrolments/<id:pk>/payment-status/", views.payment_status, name="status"),
    path("enrolments/<id:pk>/refund/", views.refund_instead, name="refund_instead"),
    path("invoices/<token:number>.pdf", views.invoice_download, name="invoice"),
]
