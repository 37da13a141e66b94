from .appointments import Appointment, CoachingNote, CoachingSlot
from .bookings import NAME_SEATS_DAYS_BEFORE, Booking, SeatInvitation
from .dates import CourseDate, MeetingDay, PeOnlineEdition
from .enrolments import BILLING_ADDRESS_FIELDS, AbsenceNotice, Attendance, BillingType, Enrolment, InterestEntry
from .feeds import CalendarFeed
from .pages import (
    CENT,
    MAX_SEATS_PER_DATE,
    VAT_RATES,
    CourseAccreditation,
    CourseIndexPage,
    CoursePage,
    Delivery,
    InvoicePayment,
    ModulePage,
    VatTreatment,
)
from .vouchers import Voucher

__all__ = [
    "AbsenceNotice", "Appointment", "Attendance", "BILLING_ADDRESS_FIELDS", "BillingType", "Booking", "CENT",
    "CalendarFeed", "CoachingNote", "CoachingSlot", "CourseAccreditation",
    "CourseDate", "CourseIndexPage", "CoursePage", "Delivery", "Enrolment", "InterestEntry", "InvoicePayment",
    "MAX_SEATS_PER_DATE", "MeetingDay", "ModulePage", "NAME_SEATS_DAYS_BEFORE", "PeOnlineEdition", "SeatInvitation",
    "VAT_RATES", "VatTreatment", "Voucher",
]
