from django import template

from privacy.services import exports_of

register = template.Library()


@register.simple_tag(takes_context=True)
def my_exports(context) -> list:
    """On the profile: the person's copy of their data being prepared, and copies still available."""
    return exports_of(context["request"].user)
