"""The invoice PDF (A4, reportlab). Written in Dutch, the language of the provider's bookkeeping."""

from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from .models import Invoice


def euro(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    return f"{sign}€ {int(whole):,}".replace(",", ".") + f",{cents}"


def _discount_excl(invoice: Invoice) -> Decimal:
    """The discount line excl. VAT: the list price's excl. amount less the subtotal, so the lines add up to the
    cent (VAT is computed after the discount)."""
    if not invoice.discount:
        return Decimal("0.00")
    gross = invoice.total + invoice.discount
    gross_excl = (gross / (1 + invoice.vat_rate)).quantize(Decimal("0.01"))
    return gross_excl - invoice.amount_excl_vat


def invoice_pdf(invoice: Invoice) -> bytes:
    buffer = BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    title = "Creditfactuur" if invoice.kind == Invoice.Kind.CREDIT else "Factuur"
    page.setTitle(f"{title} {invoice.number}")
    page.setAuthor(invoice.supplier.get("name", ""))
    width, height = A4
    left, y = 20 * mm, height - 25 * mm

    def line(text: str, *, size: int = 10, bold: bool = False, x: float = left, step: float = 5.2 * mm) -> None:
        nonlocal y
        page.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        page.drawString(x, y, text)
        y -= step

    supplier, customer = invoice.supplier, invoice.customer
    line(supplier.get("name", ""), size=16, bold=True, step=7 * mm)
    for text in [supplier.get("address"), supplier.get("postcode_city"), supplier.get("email"),
                 f"KvK {supplier['kvk']}" if supplier.get("kvk") else "",
                 f"Btw-id {supplier['vat_id']}" if supplier.get("vat_id") else ""]:
        if text:
            line(text)
    y -= 6 * mm
    line(f"{title} {invoice.number}", size=14, bold=True, step=7 * mm)
    line(f"Factuurdatum: {timezone.localtime(invoice.issued_at):%d-%m-%Y}")
    if invoice.due_at:
        line(f"Te betalen vóór: {timezone.localtime(invoice.due_at):%d-%m-%Y}")
    if invoice.credits_id:
        line(f"Crediteert factuur {invoice.credits.number}")
    if customer.get("reference"):
        line(f"Uw referentie: {customer['reference']}")
    y -= 4 * mm
    line("Aan", bold=True)
    if customer.get("company"):
        line(customer["company"])
        for text in (customer.get("address") or "").splitlines():
            line(text)
        line(f"t.a.v. {customer.get('contact') or customer['participant']}")
        if customer.get("kvk"):
            line(f"KvK {customer['kvk']}")
        if customer.get("vat_id"):
            line(f"Btw-id {customer['vat_id']}")
        if customer.get("participant"):
            line(f"Deelnemer: {customer['participant']}")
    else:
        line(customer["participant"])
        line(customer["email"])
    y -= 6 * mm

    right = width - 20 * mm
    page.setFont("Helvetica-Bold", 10)
    page.drawString(left, y, "Omschrijving")
    page.drawRightString(right, y, "Bedrag")
    y -= 2 * mm
    page.line(left, y, right, y)
    y -= 6 * mm
    page.setFont("Helvetica", 10)
    quantity = f"{invoice.quantity} × " if invoice.quantity > 1 else ""
    page.drawString(left, y, f"{quantity}{invoice.description}"[:95])
    discount_excl = _discount_excl(invoice)
    page.drawRightString(right, y, euro(invoice.amount_excl_vat + discount_excl))
    if discount_excl:
        y -= 5.5 * mm
        page.drawString(left, y, f"Korting ({invoice.voucher_code})" if invoice.voucher_code else "Korting")
        page.drawRightString(right, y, euro(-discount_excl))
    y -= 8 * mm
    vat_label = "Btw vrijgesteld" if invoice.vat_exemption_text else f"Btw {invoice.vat_rate * 100:.0f}%"
    for label, amount, bold in [("Subtotaal excl. btw", invoice.amount_excl_vat, False),
                                (vat_label, invoice.vat_amount, False), ("Totaal", invoice.total, True)]:
        page.setFont("Helvetica-Bold" if bold else "Helvetica", 10)
        page.drawString(right - 80 * mm, y, label)
        page.drawRightString(right, y, euro(amount))
        y -= 5.5 * mm
    y -= 4 * mm
    if invoice.vat_exemption_text:
        for text in invoice.vat_exemption_text.splitlines():
            line(text, size=9, step=4.5 * mm)
    payment = invoice.payment
    if invoice.kind == Invoice.Kind.INVOICE and invoice.due_at:
        account = f" op {supplier['iban']} t.n.v. {supplier.get('name', '')}" if supplier.get("iban") else ""
        line(f"Graag {euro(invoice.total)} vóór {timezone.localtime(invoice.due_at):%d-%m-%Y} overmaken{account},",
             size=9, step=4.5 * mm)
        line(f"onder vermelding van factuurnummer {invoice.number}.", size=9)
    elif invoice.kind == Invoice.Kind.INVOICE and payment.paid_at:
        line(f"Voldaan via online betaling op {timezone.localtime(payment.paid_at):%d-%m-%Y}.", size=9)
    elif invoice.kind == Invoice.Kind.CREDIT and invoice.booking_id:
        line(f"Dit bedrag wordt verrekend met factuur {invoice.credits.number}; wat al betaald is, storten wij terug.",
             size=9)
    elif invoice.kind == Invoice.Kind.CREDIT:
        line("Het bedrag wordt teruggestort op de rekening waarmee is betaald.", size=9)
    page.showPage()
    page.save()
    return buffer.getvalue()
