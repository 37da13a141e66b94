from django.urls import path

from . import views

app_name = "courses"
urlpatterns = [
    path("dates/<id:pk>/enrol/", views.enrol, name="enrol"),
    path("dates/<id:pk>/waitlist/", views.waitlist, name="waitlist"),
    path("enrolments/<id:pk>/", views.enrolment_detail, name="enrolment"),
    path("enrolments/<id:pk>/offer/", views.offer, name="offer"),
    path("enrolments/<id:pk>/cancel/", views.cancel, name="cancel"),
    path("enrolments/<id:pk>/transfer/", views.transfer, name="transfer"),
    path("my/courses/", views.my_courses, name="my_courses"),
    path("courses/<id:course_id>/interest/", views.interest, name="interest"),
]
