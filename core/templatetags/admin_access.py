"""`{% load admin_access %}`: whether the visitor reaches the CMS (the menu's link, Wagtail's user bar)."""

from django import template

from core.permissions import opens_admin as _opens_admin

register = template.Library()


@register.simple_tag(takes_context=True)
def opens_admin(context) -> bool:
    return _opens_admin(context["request"].user)
