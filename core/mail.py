"""The one way the site sends email. Subject and body come from a pair of templates (`<name>_subject.txt`,
`<name>.txt`), rendered in the recipient's language (the site's language for the office), links included;
each message is plain text with an HTML alternative (the same text in the site's mail layout) and any
attachments. Emails are sent by tasks, which the services enqueue inside the transaction that decided them
(core.tasks.enqueue_with_change), so a rolled-back change mails nobody and a committed one is never lost."""

import hashlib
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from .links import absolute_url
from .models import ProviderSettings, SentEmail

# The run of a queued task that is sending mail: (the key of its first run, how many it sent so far).
_task_run: ContextVar[list | None] = ContextVar("task_run", default=None)


def mails_of_task_run(key: str | None) -> None:
    """From now on, in this thread, mails are sent by the task run `key` (None: by no task). A task that is run
    again (its worker was killed after sending, or it failed and is retried) passes the key of its first run, so
    the same mail (recipient and subject, the first, second… of those in the run) carries the same Message-ID as
    before: a repeated mail shows itself as one, and mail clients that drop duplicates drop it; a different mail
    never shares one, whatever order a rerun sends in."""
    _task_run.set([key, Counter()] if key else None)


def message_id(domain: str | None, message: EmailMessage) -> str:
    run = _task_run.get()
    if run is None:
        return make_msgid(domain=domain)
    which = hashlib.sha256("\n".join([run[0], *message.to, message.subject]).encode()).hexdigest()[:24]
    run[1][which] += 1
    return f"<t{which}.{run[1][which]}@{domain or 'localhost'}>"  # short: a header line is not folded


def with_honest_headers(message: EmailMessage) -> EmailMessage:
    """What a mail client and a spam filter expect of a mail that comes from a no-reply address: replies go to the
    office (Reply-To, when the provider's address is set), the Message-ID names our sending domain (not the
    server's host name), and it says it was sent automatically (RFC 3834: no out-of-office replies to it). The
    Date carries the Dutch offset (EMAIL_USE_LOCALTIME)."""
    office = ProviderSettings.load().email
    if office and not message.reply_to:
        message.reply_to = [office]
    domain = parseaddr(message.from_email or settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or None
    message.extra_headers.setdefault("Message-ID", message_id(domain, message))
    message.extra_headers.setdefault("Auto-Submitted", "auto-generated")
    return message


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes | str
    mimetype: str


def email(template: str, context: dict, *, to: str, language: str, links: dict[str, tuple[str, list]] | None = None,
          attachments: tuple[Attachment, ...] = (), calendar: tuple[str, bytes] | None = None,
          unsubscribe: str | None = None) -> None:
    """Renders `template` in `language` and sends it to `to`. `links` names URLs to put in the context as full
    addresses ({"link": ("places:enrolment", [pk])}), in the recipient's language. `calendar` (a method and an
    iTIP message) makes it an invitation: a `text/calendar; method=…` part that calendars act on. `unsubscribe`
    (the address that switches such mails off) makes it a mail the person may stop: the List-Unsubscribe headers
    for the mail client's button (one click, RFC 8058) and a line at the bottom."""
    with translation.override(language):
        context = {**context, **{key: absolute_url(reverse(name, args=args)) for key, (name, args)
                                 in (links or {}).items()}}
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        text = render_to_string(f"{template}.txt", context)
        if unsubscribe:
            text = text.rstrip("\n") + "\n\n" + render_to_string("core/email/unsubscribe.txt", {"url": unsubscribe})
        # The text templates are rendered unescaped (plain text); for HTML every character is text again.
        html = render_to_string("core/email/message.html", {"subject": subject, "text": escape(text),
                                                            "provider": ProviderSettings.load()})
    message = with_honest_headers(EmailMultiAlternatives(subject, text, None, [to]))
    if unsubscribe:
        message.extra_headers.update({"List-Unsubscribe": f"<{unsubscribe}>",
                                      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    message.attach_alternative(html, "text/html")
    if calendar is not None:  # (method, iCalendar): the part calendars act on, beside the text and HTML
        method, content = calendar
        message.attach_alternative(content.decode(), f"text/calendar; method={method}")
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    message.send()
    SentEmail.objects.create(recipient=to, subject=subject[:250])


def email_person(user, template: str, context: dict, **options) -> None:
    """To a person, in the language they chose for our emails."""
    email(template, context, to=user.email, language=user.language, **options)


def email_office(template: str, context: dict, *, admin_link: tuple[str, int] | None = None) -> None:
    """To the provider's address in the site settings, in the site's language, with `link` to the admin page
    `admin_link` (URL name, id) names; sends nothing when no office address is set."""
    office = ProviderSettings.load().email
    if office:
        email(template, context, to=office, language=settings.LANGUAGE_CODE,
              links={"link": (admin_link[0], [admin_link[1]])} if admin_link else None)
