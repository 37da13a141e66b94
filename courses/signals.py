"""What other apps may act on, inside the transaction that changed the enrolment."""

from django.dispatch import Signal

# A person cancelled their place; `refund` is what the course's policy gives back (Decimal, may be 0).
# Sent with enrolment=, refund=, actor=. The payments app pays the refund out.
place_cancelled = Signal()

# A trainer saved attendance for these confirmed places (enrolment_ids=, a set of ids; actor=; now=, the moment
# it was recorded).
# The learning app recomputes whether they completed the course.
attendance_recorded = Signal()

# A confirmed place moved to another date: `old` ended, `new` is the place on the other date (old=, new=,
# actor=). What belongs to the person rather than to the day follows: the payments app moves the payments
# (so a later cancellation refunds them), the learning app the coursework done so far.
place_transferred = Signal()
