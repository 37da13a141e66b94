from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from core import audit

MEMBERSHIP_ACTIONS = {
    "organisation.created": (_("Register an organisation"), _("Organisation registered")),
    "organisation.invited": (_("Invite to an organisation"), _("Invited to the organisation")),
    "organisation.joined": (_("Join an organisation"), _("Joined the organisation")),
    "membership.progress_shared": (_("Share progress"), _("Progress shared with the organisation")),
    "membership.progress_withheld": (_("Stop sharing progress"), _("Progress no longer shared")),
    "user.register_number_corrected": (_("Correct a register number"), _("Register number corrected")),
}


@hooks.register("register_log_actions")
def register_membership_actions(actions):
    audit.register_actions(actions, MEMBERSHIP_ACTIONS)
