from django import template

from core import page_cache
from courses.models import CoursePage, Enrolment, ModulePage

from .. import selectors
from ..access import learner_enrolment_of, module_access

register = template.Library()


@register.simple_tag(takes_context=True)
def with_progress(context, enrolments) -> list[tuple[Enrolment, selectors.Progress | None]]:
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


@register.simple_tag(takes_context=True)
def course_progress(context, course: CoursePage) -> selectors.Progress | None:
    """The visitor's progress through the course, for its page (None unless they have a place)."""
    enrolment = learner_enrolment_of(context["request"], course)
    return selectors.progress_of([enrolment])[enrolment.pk] if enrolment else None


@register.simple_tag(takes_context=True)
def module_learning(context, module: ModulePage, course: CoursePage) -> dict:
    """What a module page shows about learning: access, done or not, its quizzes and assignments, and the
    participant's progress through the course."""
    access = module_access(context["request"], module, course)
    learning = {"access": access, "done": False, "activities": [], "progress": None}
    if access.content:
        learning["activities"] = page_cache.remembered(
            f"activities:{module.pk}", lambda: list(module.get_children().live().public().specific()), shared=True)
    if access.takes_part:
        progress = selectors.progress_of([access.enrolment])[access.enrolment.pk]
        learning.update(progress=progress, done=module.pk in progress.done_modules)
    return learning
