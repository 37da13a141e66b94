from django.dispatch import receiver

from courses.signals import place_cancelled

from . import services


@receiver(place_cancelled)
def refund_what_the_policy_gives(sender, *, enrolment, refund, actor, **kwargs):
    services.refund_cancelled_place(enrolment=enrolment, refund=refund, actor=actor)
