"""What the certification app acts on, sent inside the transaction that changed the completion."""

from django.dispatch import Signal

# The participant met every completion rule of the course. Sent with enrolment=, actor= (None when automatic).
enrolment_completed = Signal()

# A corrected input (attendance, a regrade) means a completed enrolment no longer meets the rules.
completion_withdrawn = Signal()
