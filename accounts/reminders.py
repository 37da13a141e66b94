"""Reminders a person may switch off (before a meeting day, before a certificate expires): sent only while they
want them, each with a way out in one click. Mail clients show an "unsubscribe" button from the List-Unsubscribe
header and press it with a POST (RFC 8058, which Gmail and Yahoo ask of bulk senders); the link at the bottom of
the mail opens a page that asks first, so a link scanner that follows every link switches nothing off. The
address carries the person's id, signed: nobody can switch off another's reminders. Confirmations, invitations,
invoices and payment reminders are not reminders in this sense: they always go."""

from django.core import signing
from django.urls import reverse

from core.links import absolute_url, in_language
from core.mail import email_person

from .models import User

SALT = "accounts.reminders.off"


def unsubscribe_url(user: User) -> str:
    """The same address in every reminder to the person (signed, without a time: a mail read months later still
    works)."""
    path = reverse("accounts:reminders_off", args=[signing.Signer(salt=SALT).sign(str(user.pk))])
    return absolute_url(in_language(path, user.language))  # the page in the language of the person's mails


def person_of(token: str) -> User | None:
    """The person an unsubscribe address was made for; None for an address that was altered or is not ours."""
    try:
        pk = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=int(pk), is_active=True).first() if pk.isdigit() else None


def reminder_email(user: User, template: str, context: dict, **options) -> bool:
    """Sends the reminder unless the person switched reminders off; whether it went."""
    if not user.receives_reminders:
        return False
    email_person(user, template, context, unsubscribe=unsubscribe_url(user), **options)
    return True


def reminders_switch(user: User, *, on: bool) -> None:
    User.objects.filter(pk=user.pk).update(receives_reminders=on)
    user.receives_reminders = on
