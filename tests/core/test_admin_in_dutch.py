"""The CMS speaks Dutch and wears the academy's name: no English workflow names in its buttons, no "1-0 van 0" on
an empty list, a programme time that is a time, and the academy's seal instead of Wagtail's bird."""

import pytest
from wagtail.blocks import StructBlockValidationError
from wagtail.models import Task, Workflow

from courses.blocks import ProgrammeItemBlock
from courses.models import ModulePage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_moderation_workflow_has_a_dutch_name():
    assert list(Task.objects.values_list("name", flat=True)) == ["goedkeuring door de redactie"]
    assert list(Workflow.objects.values_list("name", flat=True)) == ["Goedkeuring door de redactie"]


def test_an_empty_page_list_says_nothing_odd_and_the_cms_shows_the_academys_seal(client, course):
    client.force_login(UserFactory(is_superuser=True))
    module = ModulePage.objects.child_of(course).first()

    html = client.get(f"/admin/pages/{module.pk}/").content.decode()

    assert "1-0" not in html and "van 0" not in html
    assert 'src="/badges/badge.svg"' in html
    listing = client.get(f"/admin/pages/{course.pk}/").content.decode()
    assert "1–2 van 2" in listing  # the course's two modules, with spaces


@pytest.mark.parametrize("time", ["09:30", "9.30", "09:30–10:15", "13:00 - 13:45", ""])
def test_a_programme_time_is_a_time_or_a_span(time):
    ProgrammeItemBlock().clean({"time": time, "title": "Opening", "description": ""})


@pytest.mark.parametrize("time", ["'s ochtends", "25:00", "09:30 tot later"])
def test_anything_else_in_the_time_field_is_refused_in_dutch(time):
    with pytest.raises(StructBlockValidationError) as refused:
        ProgrammeItemBlock().clean({"time": time, "title": "Opening", "description": ""})
    assert "Schrijf een tijd zoals 09:30" in str(refused.value.block_errors["time"])
