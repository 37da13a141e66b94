from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("enrolments/<int:pk>/pay/", views.pay, name="pay"),
    path("enrolments/<int:pk>/paid/", views.payment_return, name="return"),
    path("enrolments/<int:pk>/payment-status/", views.payment_status, name="status"),
    path("enrolments/<int:pk>/refund/", views.refund_instead, name="refund_instead"),
    path("invoices/<str:number>.pdf", views.invoice_download, name="invoice"),
]
