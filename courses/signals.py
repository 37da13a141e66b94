"""What other apps may act on, inside the transaction that changed the enrolment."""

from django.dispatch import Signal

# A trainer saved attendance for these confirmed places (enrolment_ids=, a set of ids; actor=; now=, the moment
# it was recorded).
# The learning app recomputes whether they completed the course.
attendance_recorded = Signal()
