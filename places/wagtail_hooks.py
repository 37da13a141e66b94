"""The places app's screens in the Wagtail admin: the office moves a place from a date's page."""

from django.urls import include, path
from wagtail import hooks

from . import trainer_views

trainer_urls = [
    path("dates/<id:pk>/places/<id:enrolment_pk>/move/", trainer_views.place_move, name="place_move"),
]


@hooks.register("register_admin_urls")
def register_trainer_urls():
    return [path("trainer/", include((trainer_urls, "places_trainer"), namespace="places_trainer"))]
