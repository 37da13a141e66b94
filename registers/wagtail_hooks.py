from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from core import audit
from core.admin_views import PermissionMenuItem

from . import trainer_views

trainer_urls = [
    path("dates/<id:pk>/registers/", trainer_views.date_registers, name="date"),
    path("dates/<id:pk>/registers/<str:register>.<str:fmt>", trainer_views.attendance_file, name="file"),
    path("dates/<id:pk>/registers/<str:register>/ask/", trainer_views.numbers_ask, name="ask"),
    path("dates/<id:pk>/registers/<str:register>/submit/", trainer_views.submit, name="submit"),
    path("dates/<id:pk>/submissions/<id:submission_pk>/retry/", trainer_views.retry, name="retry"),
    path("dates/<id:pk>/reported/<id:row_pk>/number/", trainer_views.number_correct, name="number"),
    path("registers/due/", trainer_views.due, name="due"),
]


@hooks.register("register_admin_urls")
def register_registers_urls():
    return [path("trainer/", include((trainer_urls, "registers_trainer"), namespace="registers_trainer"))]


@hooks.register("register_admin_menu_item")
def register_due_menu_item():
    return PermissionMenuItem(_("PE-online to submit"), reverse_lazy("registers_trainer:due"), icon_name="tasks",
                              order=166, permission=trainer_views.OFFICE)


REGISTER_ACTIONS = {
    "course_date.attendance_submitted": (_("Submit attendance to PE-online"), _("Attendance submitted to PE-online")),
    "enrolment.register_number_asked": (_("Ask for a register number"), _("Asked to add a register number")),
}


@hooks.register("register_log_actions")
def register_register_actions(actions):
    audit.register_actions(actions, REGISTER_ACTIONS)
