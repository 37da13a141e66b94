"""Site-wide setup that must hold in every environment, demo or production."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from courses.models import CourseIndexPage

TRAINERS_GROUP = "Trainers"
TRAINER_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
TRAINER_COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "choose_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document"],
}


@transaction.atomic
def trainer_roles_ensure() -> Group:
    """Trainers write the catalogue (courses and modules, images, documents) and nothing else:
    no site settings, no users. Idempotent; run by `manage.py setup_roles` and by the demo seed.
    """
    group, _ = Group.objects.get_or_create(name=TRAINERS_GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    # Their own courses' dates (courses.permissions.CourseDatePolicy narrows it to the course team).
    group.permissions.add(Permission.objects.get(content_type__app_label="courses", codename="schedule_dates"))

    root_collection = Collection.get_first_root_node()
    for app_label, codenames in TRAINER_COLLECTION_PERMISSIONS.items():
        for permission in Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames):
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )

    page_permissions = Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=TRAINER_PAGE_PERMISSIONS
    )
    for catalogue in CourseIndexPage.objects.all():
        for permission in page_permissions:
            GroupPagePermission.objects.get_or_create(group=group, page=catalogue, permission=permission)
    return group
