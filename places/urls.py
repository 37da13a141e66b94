from django.urls import path

from . import coaching_views, views

app_name = "places"
urlpatterns = [
    path("dates/<id:pk>/enrol/", views.enrol, name="enrol"),
    path("dates/<id:pk>/waitlist/", views.waitlist, name="waitlist"),
    path("enrolments/<id:pk>/", views.enrolment_detail, name="enrolment"),
    path("enrolments/<id:pk>/calendar.ics", views.enrolment_calendar, name="enrolment_calendar"),
    path("enrolments/<id:pk>/offer/", views.offer, name="offer"),
    path("enrolments/<id:pk>/cancel/", views.cancel, name="cancel"),
    path("enrolments/<id:pk>/absence/", views.absence, name="absence"),
    path("enrolments/<id:pk>/coaching/", coaching_views.coaching, name="coaching"),
    path("enrolments/<id:pk>/coaching/book/", coaching_views.coaching_book, name="coaching_book"),
    path("enrolments/<id:pk>/coaching/<id:session_pk>/move/", coaching_views.coaching_move, name="coaching_move"),
    path("enrolments/<id:pk>/coaching/<id:session_pk>/cancel/", coaching_views.coaching_cancel,
         name="coaching_cancel"),
    path("enrolments/<id:pk>/transfer/", views.transfer, name="transfer"),
    path("enrolments/<id:pk>/pay/", views.pay, name="pay"),
    path("enrolments/<id:pk>/paid/", views.payment_return, name="return"),
    path("enrolments/<id:pk>/payment-status/", views.payment_status, name="status"),
    path("enrolments/<id:pk>/refund/", views.refund_instead, name="refund_instead"),
    path("invitations/<token:token>/", views.invitation, name="invitation"),
]
