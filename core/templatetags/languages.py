from django import template
from django.conf import settings

from ..links import in_language

register = template.Library()


@register.simple_tag(takes_context=True)
def other_languages(context) -> list[dict]:
    """The language switch: a plain link per other language to this page in it (the same for every visitor,
    so a page from the cache carries it too)."""
    request, current = context["request"], context.get("LANGUAGE_CODE")
    return [{"code": code, "name": "Nederlands" if code == "nl" else "English",
             "url": in_language(request.get_full_path(), code)}
            for code, _name in settings.LANGUAGES if code != current]
