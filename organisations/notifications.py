"""Emails to people an organisation books for."""

from django.conf import settings
from django_tasks import task

from accounts.models import Membership, Organisation, OrganisationInvitation, User
from core.mail import email, email_office, email_person
from courses.models import Booking, Enrolment


@task()
def send_naming_reminder(*, booking_id: int) -> None:
    booking = Booking.objects.select_related("booked_by", "course_date__course", "organisation").get(pk=booking_id)
    unnamed = booking.places.filter(Enrolment.UNNAMED, status=Enrolment.Status.CONFIRMED).count()
    if unnamed and booking.booked_by:  # None: the contact person had their account erased
        email_person(booking.booked_by, "organisations/email/naming_reminder",
                     {"booking": booking, "course": booking.course_date.course, "unnamed": unnamed},
                     links={"link": ("organisations:booking", [booking.pk])})


@task()
def send_organisation_invitation(*, invitation_id: int) -> None:
    invitation = OrganisationInvitation.objects.select_related("organisation", "invited_by").get(pk=invitation_id)
    if invitation.accepted_at:
        return
    known = User.objects.filter(email__iexact=invitation.email).first()
    email("organisations/email/organisation_invitation",
          {"invitation": invitation, "organisation": invitation.organisation, "has_account": known is not None},
          to=invitation.email, language=known.language if known else settings.LANGUAGE_CODE,
          links={"link": ("organisations:join", [invitation.token])})


@task()
def send_organisation_to_approve(*, organisation_id: int) -> None:
    """The office hears that an organisation registered and waits for approval before it books on invoice."""
    organisation = Organisation.objects.get(pk=organisation_id)
    if organisation.is_pending:
        contact = organisation.memberships.select_related("user").filter(role=Membership.Role.CONTACT).first()
        email_office("organisations/email/organisation_to_approve",
                     {"organisation": organisation, "contact": contact.user if contact else None},
                     admin_link=("organisations_admin:approval", organisation.pk))


@task()
def send_organisation_decided(*, organisation_id: int) -> None:
    """The contact persons hear whether the office approved their organisation (with the reason if not)."""
    organisation = Organisation.objects.get(pk=organisation_id)
    for membership in organisation.memberships.select_related("user").filter(role=Membership.Role.CONTACT):
        email_person(membership.user, "organisations/email/organisation_decided",
                     {"organisation": organisation, "person": membership.user},
                     links={"link": ("organisations:overview", [])})
