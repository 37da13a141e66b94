from django import template

from courses.models import Enrolment

from .. import selectors

register = template.Library()


@register.simple_tag
def with_progress(enrolments) -> list[tuple[Enrolment, selectors.Progress | None]]:
    """Pairs of (enrolment, progress), progress only for confirmed places; a fixed number of queries."""
    enrolments = list(enrolments)
    progress = selectors.progress_of([e for e in enrolments if e.status == Enrolment.Status.CONFIRMED])
    return [(enrolment, progress.get(enrolment.pk)) for enrolment in enrolments]


@register.inclusion_tag("learning/includes/enrolment_learning.html")
def learning_summary(enrolment: Enrolment) -> dict:
    """Progress, where to resume, what completion still needs and the evaluation, for a confirmed place."""
    if enrolment.status != Enrolment.Status.CONFIRMED:
        return {"show": False}
    return {
        "show": True,
        "enrolment": enrolment,
        "progress": selectors.progress_of([enrolment])[enrolment.pk],
        "requirements": selectors.requirements(enrolment),
        "evaluation_open": selectors.evaluation_open(enrolment),
    }
