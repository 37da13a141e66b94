from django.urls import path

from . import views

app_name = "courses"
urlpatterns = [
    path("my/courses/", views.my_courses, name="my_courses"),
    path("my/courses/earlier/", views.my_earlier_courses, name="my_earlier_courses"),
    path("my/calendar/", views.calendar_subscription, name="calendar_subscription"),
    path("calendar/<token:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("courses/<id:course_id>/interest/", views.interest, name="interest"),
    path("courses/<id:course_id>/dates/", views.course_dates, name="dates"),
]
