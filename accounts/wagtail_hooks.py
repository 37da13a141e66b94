from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from core import audit

MEMBERSHIP_ACTIONS = {
    "membership.progress_shared": (_("Share progress"), _("Progress shared with the organisation")),
    "membership.progress_withheld": (_("Stop sharing progress"), _("Progress no longer shared")),
}


@hooks.register("register_log_actions")
def register_membership_actions(actions):
    audit.register_actions(actions, MEMBERSHIP_ACTIONS)
