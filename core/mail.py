"""Emails to the office: the provider's address in the site settings, in the site's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .links import absolute_url
from .models import ProviderSettings


def email_office(template: str, context: dict, *, admin_link: tuple[str, int] | None = None) -> None:
    """Renders `<template>_subject.txt` and `<template>.txt` for the office, with `link` to the admin page
    `admin_link` (URL name, id) names; sends nothing when no office address is set."""
    office = ProviderSettings.load().email
    if not office:
        return
    with translation.override(settings.LANGUAGE_CODE):
        if admin_link:
            name, pk = admin_link
            context = {**context, "link": absolute_url(reverse(name, args=[pk]))}
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    send_mail(subject, body, None, [office])
