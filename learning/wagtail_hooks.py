from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from core import audit
from courses.models import ModulePage

from . import services, trainer_views
from .access import module_access

trainer_urls = [
    path("dates/<id:pk>/attendance/", trainer_views.attendance, name="attendance"),
    path("dates/<id:pk>/coaching/sessions/<id:session_pk>/held/", trainer_views.coaching_record,
         name="coaching_record"),
    path("dates/<id:pk>/gradebook/", trainer_views.gradebook, name="gradebook"),
    path("dates/<id:pk>/gradebook.<str:fmt>", trainer_views.gradebook_export, name="gradebook_export"),
    path("dates/<id:pk>/submissions/<id:submission_pk>/", trainer_views.submission_grade, name="submission"),
    path("dates/<id:pk>/attempts/<id:attempt_pk>/", trainer_views.attempt_review, name="attempt"),
    path("dates/<id:pk>/evaluations/", trainer_views.evaluations, name="evaluations"),
    path("days/<id:pk>/checkin/", trainer_views.checkin_screen, name="checkin"),
    path("days/<id:pk>/checkin/qr.png", trainer_views.checkin_qr, name="checkin_qr"),
    path("days/<id:pk>/checkin/state/", trainer_views.checkin_state, name="checkin_state"),
]


@hooks.register("register_admin_urls")
def register_gradebook_urls():
    return [path("trainer/", include((trainer_urls, "learning_trainer"), namespace="learning_trainer"))]


@hooks.register("before_serve_page")
def remember_module_visit(page, request, serve_args, serve_kwargs):
    """A participant's visit to a module is remembered, so the course page offers to resume there."""
    if isinstance(page, ModulePage) and request.method == "GET":
        access = module_access(request, page, page.get_parent().specific)
        if access.takes_part:
            services.module_visit(enrolment=access.enrolment, module=page)


LEARNING_ACTIONS = {
    "enrolment.completed": (_("Complete a course"), _("Course completed")),
    "enrolment.completion_withdrawn": (_("Withdraw a completion"), _("Completion withdrawn")),
    "attempt.reviewed": (_("Grade a quiz"), _("Open answers graded")),
    "submission.graded": (_("Grade an assignment"), _("Assignment graded")),
}


@hooks.register("register_log_actions")
def register_learning_actions(actions):
    audit.register_actions(actions, LEARNING_ACTIONS)
