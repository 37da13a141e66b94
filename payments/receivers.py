from django.dispatch import receiver

from courses.signals import place_cancelled, place_transferred

from . import services
from .models import Payment


@receiver(place_cancelled)
def refund_what_the_policy_gives(sender, *, enrolment, refund, actor, **kwargs):
    services.refund_cancelled_place(enrolment=enrolment, refund=refund, actor=actor)


@receiver(place_transferred)
def payments_follow_a_transfer(sender, *, old, new, **kwargs):
    """What was paid for the old place pays for the new one: its page lists the invoices, and cancelling it
    refunds by the policy. The invoices themselves stay as issued."""
    Payment.objects.filter(enrolment=old).update(enrolment=new)
