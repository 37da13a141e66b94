"""The course's price in the CMS: the office sets it (or marks the course free on purpose); a trainer sees it,
or that the office still has to set it, but cannot change it."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import HelpPanel

from core.formats import euro

from .permissions import MANAGE_COURSES


class CoursePageForm(WagtailAdminPageForm):
    """The office's price: a price, or "free of charge" ticked; €0 without the tick is a question, not free."""

    def clean(self):
        cleaned = super().clean()
        if "price_excl_vat" not in self.fields or "free_of_charge" not in self.fields:
            return cleaned  # a trainer's form: the price stays as the office left it
        price, free = cleaned.get("price_excl_vat"), cleaned.get("free_of_charge")
        if free and price:
            self.add_error("price_excl_vat", ValidationError(
                _("A course free of charge has no price: empty the price or untick \"free of charge\".")))
        elif free:
            cleaned["price_excl_vat"] = Decimal("0.00")
        elif price == 0:
            self.add_error("price_excl_vat", ValidationError(
                _("To offer the course without charge, tick \"free of charge\"; otherwise type its price.")))
        return cleaned


class PriceForTrainersPanel(HelpPanel):
    """Shown to those who do not set prices: what the course costs, or that the office still has to say."""

    class BoundPanel(HelpPanel.BoundPanel):
        def is_shown(self):
            return not self.request.user.has_perm(MANAGE_COURSES)

        @property
        def price_text(self) -> str:
            course = self.instance
            if course.free_of_charge:
                return _("Free of charge (set by the office).")
            if course.price_excl_vat is None:
                return _("The office still has to set the price. Until it does, the course's dates say that "
                         "enrolment opens soon and nobody can enrol.")
            return _("%(price)s excl. VAT (set by the office).") % {"price": euro(course.price_excl_vat)}

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.content = format_html('<p class="help"><strong>{}</strong>: {}</p>', _("Price"), self.price_text)
