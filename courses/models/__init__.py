from .dates import CourseDate, MeetingDay
from .enrolments import Attendance, BillingType, Enrolment, InterestEntry
from .pages import (
    CENT,
    MAX_SEATS_PER_DATE,
    VAT_RATES,
    CourseAccreditation,
    CourseIndexPage,
    CoursePage,
    Delivery,
    ModulePage,
    VatTreatment,
)

__all__ = [
    "Attendance", "CENT", "MAX_SEATS_PER_DATE", "VAT_RATES", "BillingType", "CourseAccreditation", "CourseDate",
    "CourseIndexPage", "CoursePage", "Delivery", "Enrolment", "InterestEntry", "MeetingDay",
    "ModulePage", "VatTreatment",
]
