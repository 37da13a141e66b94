"""The invoice PDF (A4, reportlab). Written in Dutch, the language of the provider's bookkeeping."""

from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit

from core.models import ProviderSettings
from core.pdf import SANS, SANS_BOLD, document_info, new_canvas

from .models import Invoice


def euro(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    return f"{sign}€ {int(whole):,}".replace(",", ".") + f",{cents}"


INK, MUTED, LINE = HexColor("#1d2327"), HexColor("#4a5560"), HexColor("#d5dde1")


def invoice_pdf(invoice: Invoice) -> bytes:
    """A provider's invoice: the supplier and its logo at the top, the customer and the invoice's facts side by
    side, the lines and a totals block, then how it is (or was) paid: IBAN, amount and due date for a transfer."""
    buffer = BytesIO()
    page = new_canvas(buffer, pagesize=A4)
    title = "Creditfactuur" if invoice.kind == Invoice.Kind.CREDIT else "Factuur"
    document_info(page, title=f"{title} {invoice.number}", author=invoice.supplier.get("name", ""))
    width, height = A4
    left, right = 20 * mm, width - 20 * mm
    supplier, customer = invoice.supplier, invoice.customer
    provider = ProviderSettings.load()
    accent = HexColor(provider.brand_colour)

    def lines(texts, x: float, y: float, *, size: float = 9.5, step: float = 4.6 * mm, align: str = "left",
              colour=INK) -> float:
        """Each text from `y` down; a left-aligned text longer than the room up to the right margin wraps."""
        page.setFont(SANS, size)
        page.setFillColor(colour)
        draw = page.drawRightString if align == "right" else page.drawString
        for text in texts:
            for part in (simpleSplit(text, SANS, size, right - x) if align == "left" else [text]) if text else []:
                draw(x, y, part)
                y -= step
        return y

    # The supplier: logo (or name) on the left, address block on the right, under a band in the brand colour.
    page.setFillColor(accent)
    page.rect(0, height - 8 * mm, width, 8 * mm, stroke=0, fill=1)
    logo = _logo(provider)
    if logo:
        page.drawImage(logo, left, height - 36 * mm, width=45 * mm, height=20 * mm, preserveAspectRatio=True,
                       mask="auto", anchor="sw")
    else:
        page.setFillColor(accent)
        page.setFont(SANS_BOLD, 18)
        page.drawString(left, height - 28 * mm, supplier.get("name", ""))
    page.setFont(SANS_BOLD, 10)
    page.setFillColor(INK)
    page.drawRightString(right, height - 20 * mm, supplier.get("name", ""))
    lines([supplier.get("address"), supplier.get("postcode_city"), supplier.get("email"),
           f"KvK {supplier['kvk']}" if supplier.get("kvk") else "",
           f"Btw-id {supplier['vat_id']}" if supplier.get("vat_id") else ""],
          right, height - 25 * mm, size=9, step=4.2 * mm, align="right", colour=MUTED)

    # The title, then the customer on the left and the invoice's facts on the right.
    page.setFillColor(accent)
    page.setFont(SANS_BOLD, 22)
    page.drawString(left, height - 62 * mm, title)
    top = height - 74 * mm
    page.setFillColor(MUTED)
    page.setFont(SANS_BOLD, 8.5)
    page.drawString(left, top, "AAN")
    if customer.get("company"):
        contact = customer.get("contact") or customer.get("participant", "")
        address = [customer["company"], *(customer.get("address") or "").splitlines(),
                   f"t.a.v. {contact}" if contact else "",
                   f"KvK {customer['kvk']}" if customer.get("kvk") else "",
                   f"OIN {customer['oin']}" if customer.get("oin") else "",
                   f"Btw-id {customer['vat_id']}" if customer.get("vat_id") else ""]
    else:  # a person who pays for themselves: their address when they gave it
        address = [customer.get("participant", ""), *(customer.get("address") or "").splitlines(),
                   customer.get("email", "")]
    bottom_left = lines(address, left, top - 5 * mm, size=10, step=4.8 * mm)

    facts = [("Factuurnummer", invoice.number),
             ("Factuurdatum", f"{timezone.localtime(invoice.issued_at):%d-%m-%Y}")]
    if invoice.due_at and invoice.kind == Invoice.Kind.INVOICE:
        facts.append(("Vervaldatum", f"{timezone.localtime(invoice.due_at):%d-%m-%Y}"))
    if invoice.credits_id:
        facts.append(("Crediteert factuur", invoice.credits.number))
    if customer.get("reference"):
        facts.append(("Referentie", customer["reference"]))
    if customer.get("company") and customer.get("participant"):
        facts.append(("Deelnemer", customer["participant"]))
    y = top
    for label, value in facts:
        page.setFont(SANS, 9)
        page.setFillColor(MUTED)
        page.drawString(right - 80 * mm, y, label)
        page.setFont(SANS_BOLD, 9.5)
        page.setFillColor(INK)
        page.drawRightString(right, y, value)
        y -= 5 * mm
    y = min(y, bottom_left) - 10 * mm

    # The lines.
    columns = [(left, "Omschrijving", "left"), (right - 62 * mm, "Aantal", "right"),
               (right - 32 * mm, "Prijs", "right"), (right, "Bedrag", "right")]
    page.setFillColor(HexColor("#f4f7f8"))
    page.rect(left - 2 * mm, y - 2.5 * mm, right - left + 4 * mm, 8 * mm, stroke=0, fill=1)
    page.setFillColor(INK)
    page.setFont(SANS_BOLD, 9.5)
    for x, heading, align in columns:
        (page.drawRightString if align == "right" else page.drawString)(x, y, heading)
    y -= 9 * mm
    discount_excl = invoice.discount_excl_vat
    listed = invoice.amount_excl_vat + discount_excl
    page.setFont(SANS, 10)
    page.drawRightString(right - 62 * mm, y, str(invoice.quantity))
    page.drawRightString(right - 32 * mm, y, euro(listed / invoice.quantity))
    page.drawRightString(right, y, euro(listed))
    description = simpleSplit(invoice.description, SANS, 10, right - 75 * mm - left)
    for number, part in enumerate(description[:3]):
        page.drawString(left, y - number * 5 * mm, part)
    y -= 5 * mm * (min(len(description), 3) - 1)
    if discount_excl:
        y -= 6 * mm
        page.drawString(left, y, f"Korting ({invoice.voucher_code})" if invoice.voucher_code else "Korting")
        page.drawRightString(right, y, euro(-discount_excl))
    y -= 4 * mm
    page.setStrokeColor(LINE)
    page.setLineWidth(0.8)
    page.line(left, y, right, y)
    y -= 7 * mm

    # The totals block.
    vat_label = "Btw vrijgesteld" if invoice.vat_exemption_text else f"Btw {invoice.vat_rate * 100:.0f}%"
    for label, amount in [("Subtotaal excl. btw", invoice.amount_excl_vat), (vat_label, invoice.vat_amount)]:
        page.setFont(SANS, 10)
        page.drawString(right - 75 * mm, y, label)
        page.drawRightString(right, y, euro(amount))
        y -= 6 * mm
    y -= 3 * mm
    page.setFillColor(accent)
    page.rect(right - 78 * mm, y - 3 * mm, 80 * mm, 9 * mm, stroke=0, fill=1)
    page.setFillColor(HexColor("#ffffff"))
    page.setFont(SANS_BOLD, 11)
    page.drawString(right - 75 * mm, y, "Totaal" if invoice.kind == Invoice.Kind.INVOICE else "Totaal credit")
    page.drawRightString(right, y, euro(invoice.total))
    y -= 16 * mm

    # How it is paid.
    page.setFillColor(INK)
    payment = invoice.payment
    if invoice.kind == Invoice.Kind.INVOICE and invoice.due_at:
        page.setStrokeColor(accent)
        page.setLineWidth(1)
        page.rect(left, y - 22 * mm, right - left, 27 * mm, stroke=1, fill=0)
        page.setFont(SANS_BOLD, 10.5)
        page.drawString(left + 5 * mm, y, "Betaalgegevens")
        rows = [("Te betalen", euro(invoice.total)),
                ("Uiterlijk op", f"{timezone.localtime(invoice.due_at):%d-%m-%Y}"),
                ("IBAN", f"{supplier.get('iban') or '—'} t.n.v. {supplier.get('name', '')}"),
                ("Onder vermelding van", invoice.payment_reference_printed or f"factuurnummer {invoice.number}")]
        row_y = y - 6 * mm
        for label, value in rows:
            page.setFont(SANS, 9.5)
            page.setFillColor(MUTED)
            page.drawString(left + 5 * mm, row_y, label)
            page.setFillColor(INK)
            page.setFont(SANS_BOLD, 9.5)
            page.drawString(left + 45 * mm, row_y, value)
            row_y -= 4.6 * mm
        y -= 30 * mm
    else:
        if invoice.kind == Invoice.Kind.INVOICE and payment.paid_at:
            note = (f"Voldaan via online betaling op {timezone.localtime(payment.paid_at):%d-%m-%Y}. "
                    "Er hoeft niets meer betaald te worden.")
        elif invoice.kind == Invoice.Kind.CREDIT and invoice.booking_id:
            note = (f"Dit bedrag wordt verrekend met factuur {invoice.credits.number}; wat al betaald is, "
                    "storten wij terug.")
        else:
            note = "Het bedrag wordt teruggestort op de rekening waarmee is betaald."
        page.setFont(SANS_BOLD, 9.5)
        for part in simpleSplit(note, SANS_BOLD, 9.5, right - left):
            page.drawString(left, y, part)
            y -= 4.6 * mm
        y -= 3.4 * mm
    if invoice.vat_exemption_text:
        crkbo = f"CRKBO-registratienummer {supplier['crkbo']}" if supplier.get("crkbo") else ""
        lines([*invoice.vat_exemption_text.splitlines(), crkbo], left, y, size=8.5, step=4 * mm, colour=MUTED)

    # The footer: who to reach, on every invoice.
    page.setStrokeColor(LINE)
    page.line(left, 18 * mm, right, 18 * mm)
    footer = " · ".join(filter(None, [supplier.get("name"), supplier.get("email"),
                                      f"KvK {supplier['kvk']}" if supplier.get("kvk") else "",
                                      f"Btw-id {supplier['vat_id']}" if supplier.get("vat_id") else "",
                                      f"IBAN {supplier['iban']}" if supplier.get("iban") else ""]))
    page.setFont(SANS, 8)
    page.setFillColor(MUTED)
    page.drawCentredString(width / 2, 13 * mm, footer)
    page.showPage()
    page.save()
    return buffer.getvalue()


def _logo(provider: ProviderSettings):
    """The provider's logo, or None."""
    if not provider.logo_id:
        return None
    try:
        with provider.logo.file.open("rb") as source:
            return ImageReader(BytesIO(source.read()))
    except OSError:
        return None
