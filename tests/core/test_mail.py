"""Every email goes through core.mail: in the recipient's language, plain text with an HTML alternative that
says the same, links in that language, attachments kept; the office's copy in the site's language."""

from courses import enrolments, seating
from courses.notifications import send_enrolment_confirmation
from tests.factories import UserFactory, make_date


def test_a_confirmation_reaches_an_english_coach_in_english_as_text_and_html_with_its_calendar(course, mailoutbox):
    coach = UserFactory(email="sam@example.org", full_name="Sam Smith", language="en")
    place = enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
        course_date=make_date(course), user=coach, billing=seating.Billing()))
    mailoutbox.clear()

    send_enrolment_confirmation.call(enrolment_id=place.pk)

    [mail] = mailoutbox
    assert mail.to == ["sam@example.org"] and "confirmed" in mail.subject
    assert "Dear Sam Smith," in mail.body and "/en/my/courses/" in mail.body
    [(html, mimetype)] = mail.alternatives
    assert mimetype == "text/html" and '<html lang="en">' in html
    assert "Dear Sam Smith," in html and 'href="http' in html and "/en/my/courses/" in html
    [(filename, _calendar, calendar_type)] = mail.attachments
    assert filename == "opleiding.ics" and calendar_type.startswith("text/calendar")


def test_html_in_a_name_is_text_in_the_html_version(course, mailoutbox):
    coach = UserFactory(full_name="<b>Bo</b> & Co", language="nl")
    place = enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
        course_date=make_date(course), user=coach, billing=seating.Billing()))
    mailoutbox.clear()

    send_enrolment_confirmation.call(enrolment_id=place.pk)

    [mail] = mailoutbox
    assert "<b>Bo</b> & Co" in mail.body
    [(html, _)] = mail.alternatives
    assert "&lt;b&gt;Bo&lt;/b&gt; &amp; Co" in html and "<b>Bo</b>" not in html
