from django.urls import include, path
from wagtail import hooks

from . import trainer_views

trainer_urls = [
    path("dates/<int:pk>/gradebook/", trainer_views.gradebook, name="gradebook"),
    path("dates/<int:pk>/gradebook.<str:fmt>", trainer_views.gradebook_export, name="gradebook_export"),
    path("dates/<int:pk>/submissions/<int:submission_pk>/", trainer_views.submission_grade, name="submission"),
    path("dates/<int:pk>/attempts/<int:attempt_pk>/", trainer_views.attempt_review, name="attempt"),
    path("dates/<int:pk>/evaluations/", trainer_views.evaluations, name="evaluations"),
]


@hooks.register("register_admin_urls")
def register_gradebook_urls():
    return [path("trainer/", include((trainer_urls, "learning_trainer"), namespace="learning_trainer"))]
