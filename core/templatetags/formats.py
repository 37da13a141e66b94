"""The site's ways of writing amounts, hours and days, for templates: `{% load formats %}`."""

from django import template

from core.formats import day, day_time, euro, hours

register = template.Library()
for _filter in (euro, hours, day, day_time):
    register.filter(_filter.__name__, _filter)
