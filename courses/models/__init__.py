from .dates import CourseDate, MeetingDay
from .enrolments import BillingType, Enrolment, EnrolmentLog, InterestEntry
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
    "CENT", "MAX_SEATS_PER_DATE", "VAT_RATES", "BillingType", "CourseAccreditation", "CourseDate",
    "CourseIndexPage", "CoursePage", "Delivery", "Enrolment", "EnrolmentLog", "InterestEntry", "MeetingDay",
    "ModulePage", "VatTreatment",
]
