from django.urls import path

from . import views

app_name = "courses"
urlpatterns = [
    path("dates/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("dates/<int:pk>/waitlist/", views.waitlist, name="waitlist"),
    path("enrolments/<int:pk>/", views.enrolment_detail, name="enrolment"),
    path("enrolments/<int:pk>/offer/", views.offer, name="offer"),
    path("enrolments/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("enrolments/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("my/courses/", views.my_courses, name="my_courses"),
    path("courses/<int:course_id>/interest/", views.interest, name="interest"),
]
