from django.urls import path

from . import views

app_name = "learning"
urlpatterns = [
    path("modules/<int:page_id>/done/", views.module_done, name="module_done"),
    path("quizzes/<int:page_id>/start/", views.attempt_start, name="attempt_start"),
    path("attempts/<int:pk>/", views.attempt, name="attempt"),
    path("assignments/<int:page_id>/hand-in/", views.submission_create, name="submission_create"),
    path("submissions/<int:pk>/file/", views.submission_file, name="submission_file"),
    path("enrolments/<int:pk>/evaluation/", views.evaluation, name="evaluation"),
]
