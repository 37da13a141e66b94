from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("dates/<id:pk>/enrol/", views.enrol, name="enrol"),
    path("enrolments/<id:pk>/offer/", views.offer, name="offer"),
    path("enrolments/<id:pk>/cancel/", views.cancel, name="cancel"),
    path("enrolments/<id:pk>/transfer/", views.transfer, name="transfer"),
    path("enrolments/<id:pk>/pay/", views.pay, name="pay"),
    path("enrolments/<id:pk>/paid/", views.payment_return, name="return"),
    path("enrolments/<id:pk>/payment-status/", views.payment_status, name="status"),
    path("enrolments/<id:pk>/refund/", views.refund_instead, name="refund_instead"),
    path("invoices/<token:number>.pdf", views.invoice_download, name="invoice"),
]
