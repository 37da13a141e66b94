from django.urls import path

from . import views

app_name = "learning"
urlpatterns = [
    path("modules/<id:page_id>/done/", views.module_done, name="module_done"),
    path("quizzes/<id:page_id>/start/", views.attempt_start, name="attempt_start"),
    path("attempts/<id:pk>/", views.attempt, name="attempt"),
    path("assignments/<id:page_id>/hand-in/", views.submission_create, name="submission_create"),
    path("submissions/<id:pk>/file/", views.submission_file, name="submission_file"),
    path("enrolments/<id:pk>/evaluation/", views.evaluation, name="evaluation"),
    path("checkin/", views.checkin, name="checkin"),
    path("checkin/<id:day_id>/<str:code>/", views.checkin_scan, name="checkin_scan"),
]
