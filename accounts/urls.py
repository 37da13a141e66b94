from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/organisations/<id:pk>/sharing/", views.progress_sharing, name="progress_sharing"),
    path("reminders/off/<str:token>/", views.reminders_off, name="reminders_off"),
]
