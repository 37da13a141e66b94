"""Every email goes through core.mail: in the recipient's language, plain text with an HTML alternative that
says the same, links in that language, attachments kept; the office's copy in the site's language."""

from courses import enrolments, seating
from courses.notifications import send_enrolment_confirmation
from tests.factories import UserFactory, make_date


def test_a_confirmation_reaches_an_english_coach_in_english_as_text_and_html_with_its_invitation(course, mailoutbox):
    coach = UserFactory(email="sam@example.org", full_name="Sam Smith", language="en")
    place = enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
        course_date=make_date(course), user=coach, billing=seating.Billing()))
    mailoutbox.clear()

    send_enrolment_confirmation.call(enrolment_id=place.pk)

    mail, invitation = mailoutbox
    assert mail.to == ["sam@example.org"] and "confirmed" in mail.subject
    assert "Dear Sam Smith," in mail.body and "/en/my/courses/" in mail.body
    [(html, mimetype)] = mail.alternatives
    assert mimetype == "text/html" and '<html lang="en">' in html
    assert "Dear Sam Smith," in html and 'href="http' in html and "/en/my/courses/" in html
    assert invitation.subject.startswith("Invitation: ") and "in your calendar" in invitation.body
    (_html, html_type), (_calendar, calendar_type) = invitation.alternatives
    assert html_type == "text/html" and calendar_type == "text/calendar; method=REQUEST"


def test_html_in_a_name_is_text_in_the_html_version(course, mailoutbox):
    coach = UserFactory(full_name="<b>Bo</b> & Co", language="nl")
    place = enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
        course_date=make_date(course), user=coach, billing=seating.Billing()))
    mailoutbox.clear()

    send_enrolment_confirmation.call(enrolment_id=place.pk)

    mail, _invitation = mailoutbox
    assert "<b>Bo</b> & Co" in mail.body
    [(html, _)] = mail.alternatives
    assert "&lt;b&gt;Bo&lt;/b&gt; &amp; Co" in html and "<b>Bo</b>" not in html


def parsed(message):
    """The message as the receiving side reads it: its bytes through the standard library's parser."""
    from email import message_from_bytes, policy

    return message_from_bytes(message.message().as_bytes(), policy=policy.default)


def test_every_mail_says_it_is_automatic_whom_to_answer_and_where_it_comes_from(course, mailoutbox, client):
    """Ours and allauth's alike: Reply-To the office (the From is a no-reply address), a Message-ID on the sending
    domain, Auto-Submitted (RFC 3834), and a Date with the Dutch offset."""
    from core.models import ProviderSettings

    provider = ProviderSettings.load()
    provider.email = "office@spoor2academy.nl"
    provider.save()
    coach = UserFactory(email="eva@example.org")
    place = enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
        course_date=make_date(course), user=coach, billing=seating.Billing()))
    mailoutbox.clear()
    send_enrolment_confirmation.call(enrolment_id=place.pk)
    client.post("/accounts/password/reset/", {"email": "eva@example.org"})  # allauth's own mail

    confirmation, _invitation, reset = mailoutbox
    for message in (parsed(confirmation), parsed(reset)):
        assert message["From"].addresses[0].addr_spec == "noreply@spoor2academy.nl"
        assert message["Reply-To"].addresses[0].addr_spec == "office@spoor2academy.nl"
        assert message["Message-ID"].endswith("@spoor2academy.nl>")
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["Date"].datetime.utcoffset().total_seconds() in (3600, 7200)
    assert confirmation.extra_headers["Message-ID"] != reset.extra_headers["Message-ID"]
