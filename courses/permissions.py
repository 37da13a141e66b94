"""Who may change which course in the CMS.

The office (superusers, or anyone with `courses.manage_courses`) changes every course. A trainer changes the
courses whose team they are on (CoursePage.trainers, set by the office) or that they created, with everything
inside them: modules, quizzes, assignments. The Trainers group's page permissions on the catalogue say what
a trainer may do at all (add, edit, publish); this narrows it to their own courses, for every admin view that
asks a page what a user may do (edit, publish, unpublish, move, copy, delete, bulk actions).
Price, VAT, the cancellation policy and the completion rules are the office's: their panels are shown only
with `courses.manage_courses` (see CoursePage's panels), so a trainer's save leaves them as they are.
"""

from wagtail.models import PagePermissionTester

MANAGE_COURSES = "courses.manage_courses"


def on_course_team(user, course) -> bool:
    if user.is_superuser or user.has_perm(MANAGE_COURSES):
        return True
    if course is None:
        return True  # outside any course (the catalogue): the group's page permissions decide
    return course.owner_id == user.pk or course.trainers.filter(pk=user.pk).exists()


class CourseTeamPermissionTester(PagePermissionTester):
    """A page's permissions for a user, only where the user is on the page's course team."""

    def __init__(self, user, page, course):
        super().__init__(user, page)
        self.on_team = on_course_team(user, course)


def _narrowed(name):
    allowed = getattr(PagePermissionTester, name)

    def check(self, *args, **kwargs):
        return self.on_team and allowed(self, *args, **kwargs)

    check.__name__ = name
    return check


for _action in ["can_add_subpage", "can_edit", "can_delete", "can_unpublish", "can_publish",
                "can_submit_for_moderation", "can_set_view_restrictions", "can_unschedule", "can_lock",
                "can_unlock", "can_publish_subpage", "can_reorder_children", "can_move", "can_copy",
                "can_move_to", "can_copy_to"]:
    setattr(CourseTeamPermissionTester, _action, _narrowed(_action))
