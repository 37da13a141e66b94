"""Who may change which course in the CMS.

The office (superusers, or anyone with `courses.manage_courses`) changes every course. A trainer changes the
courses whose team they are on (CoursePage.trainers, set by the office) or that they created, with everything
inside them: modules, quizzes, assignments. The Trainers group's page permissions on the catalogue say what
a trainer may do at all (add, edit, publish); this narrows it to their own courses, for every admin view that
asks a page what a user may do (edit, publish, unpublish, move, copy, delete, bulk actions).
Price, VAT, the cancellation policy and the completion rules are the office's: their panels are shown only
with `courses.manage_courses` (see CoursePage's panels), so a trainer's save leaves them as they are.
"""

from django.db.models import Q
from wagtail.models import PagePermissionTester
from wagtail.permission_policies import ModelPermissionPolicy

MANAGE_COURSES = "courses.manage_courses"
SCHEDULE_DATES = "courses.schedule_dates"


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


class CourseDatePolicy(ModelPermissionPolicy):
    """The office adds, changes and deletes every date (Django's model permissions). A trainer with
    `courses.schedule_dates` adds dates to the courses on whose team they are and edits those dates; calling a date
    off, deleting it and moving people stay with the office."""

    SCHEDULING = ("add", "change", "view")

    def _schedules(self, user, action) -> bool:
        return action in self.SCHEDULING and user.is_active and user.has_perm(SCHEDULE_DATES)

    def user_has_permission(self, user, action):
        return super().user_has_permission(user, action) or self._schedules(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if super().user_has_permission(user, action):
            return True
        return self._schedules(user, action) and on_course_team(user, instance.course)

    def instances_user_has_any_permission_for(self, user, actions):
        if any(super(CourseDatePolicy, self).user_has_permission(user, action) for action in actions):
            return self.model._default_manager.all()
        if any(self._schedules(user, action) for action in actions):
            return self.model._default_manager.filter(courses_of_team(user)).distinct()
        return self.model._default_manager.none()


def courses_of_team(user, prefix: str = "course__") -> Q:
    """The courses (or, with a prefix, the rows of those courses) whose team the person is on or that they made."""
    return Q(**{f"{prefix}trainers": user}) | Q(**{f"{prefix}owner": user})
