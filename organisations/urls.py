from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("my/organisation/", views.overview, name="overview"),
    path("my/organisation/start/", views.start, name="start"),
    path("my/organisation/<id:pk>/invite/", views.invite, name="invite"),
    path("organisation-invitations/<token:token>/", views.join, name="join"),
    path("my/organisation/<id:pk>/book/", views.book, name="book"),
    path("my/organisation/bookings/<id:pk>/", views.booking_detail, name="booking"),
    path("my/organisation/bookings/<id:pk>/pay/", views.booking_pay, name="booking_pay"),
    path("my/organisation/bookings/<id:pk>/paid/", views.booking_return, name="booking_return"),
    path("my/organisation/seats/<id:pk>/name/", views.seat_name, name="seat_name"),
    path("my/organisation/seats/<id:pk>/cancel/", views.seat_cancel, name="seat_cancel"),
]
