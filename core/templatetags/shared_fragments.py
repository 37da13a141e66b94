"""`{% load shared_fragments %}`: the part of a page that is the same for every visitor, rendered once.

    {% shared_fragment "course-facts" page.pk %}…{% endshared_fragment %}

What is inside may show only what trainers wrote in the CMS (the SITE topic of `core.page_cache`): it is rendered
once per language and host and kept until a page, an image, the site or the provider's settings change. Nothing
personal goes inside (no user, no form with a CSRF token). A preview in the CMS always renders afresh.
"""

import hashlib

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core import page_cache

register = template.Library()


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context):
        request = context.get("request")
        if request is None or getattr(request, "is_preview", False):
            return self.nodelist.render(context)
        parts = [str(self.name.resolve(context)), get_language(), request.get_host(),
                 *(str(part.resolve(context)) for part in self.vary_on)]
        key = "fragment:" + hashlib.sha256("|".join(parts).encode()).hexdigest()
        return mark_safe(page_cache.remembered(key, lambda: str(self.nodelist.render(context))))  # noqa: S308


@register.tag
def shared_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% shared_fragment %} needs a name")
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    vary_on = [parser.compile_filter(bit) for bit in bits[2:]]
    return SharedFragmentNode(nodelist, parser.compile_filter(bits[1]), vary_on)
