"""Invoices and credit invoices as e-invoices in the Dutch standard: SI-UBL 2.0, the Dutch CIUS (NLCIUS) of the
European norm EN 16931 in UBL 2.1 syntax. Exact, Twinfield, Moneybird, Snelstart and public bodies import it;
an access point can send it through Peppol as it is.

A business customer gets one: an organisation, an employer or a self-employed coach, with its address in parts
and, in the Netherlands, a KvK number or (a public body) an OIN, which NLCIUS rule BR-NL-10 asks for. A private
person keeps the PDF only. The document carries what the PDF says, and the PDF itself as its attachment.

How our invoices map (EN 16931 business terms):
- the CRKBO exemption is VAT category E with the exemption text as its reason (BR-E-10); 21 % is category S;
- the buyer reference (BT-10, which BR-NL-2 wants) is the customer's reference or PO number, else the contact
  person the invoice is addressed to, else our invoice number;
- a credit invoice is a CreditNote (type 381, BR-NL-8) naming the invoice it corrects (BT-25), amounts positive;
- an invoice paid online says so as its prepaid amount (nothing left to pay); one paid by bank transfer names
  SEPA credit transfer (58), our IBAN and the RF creditor reference (BT-83) as the payment means;
- a voucher's discount is an allowance on the line, so the line adds up as the PDF's does.
"""

import base64
import xml.etree.ElementTree as ElementTree
from decimal import Decimal

from django.utils import timezone

from core.addresses import NETHERLANDS

from .models import Invoice

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NAMESPACES = {
    "invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "creditnote": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
KVK_SCHEME, OIN_SCHEME = "0106", "0190"  # ISO 6523 ICDs: the Dutch Chamber of Commerce number, the OIN
SEPA_CREDIT_TRANSFER = "58"
ONE = "C62"  # UN/ECE recommendation 20: a unit (one seat)
CURRENCY = "EUR"

for _prefix in ("cac", "cbc"):
    ElementTree.register_namespace(_prefix, NAMESPACES[_prefix])


def e_invoice_possible(invoice: Invoice) -> bool:
    """Whether the invoice can be an SI-UBL 2.0 document: a business customer with its address in parts (and a KvK
    number or OIN when it is Dutch), from a supplier with its KvK number, VAT id and address."""
    customer, supplier = invoice.customer, invoice.supplier
    if not customer.get("company") or not all(customer.get(part) for part in ("street", "postcode", "city")):
        return False
    if customer.get("country", NETHERLANDS) == NETHERLANDS and not (customer.get("kvk") or customer.get("oin")):
        return False
    needed = ("name", "kvk", "vat_id", "street", "postcode", "city")
    return all(supplier.get(part) for part in needed) and (not _payable(invoice) or bool(supplier.get("iban")))


def e_invoice_xml(invoice: Invoice, pdf: bytes) -> bytes:
    """The SI-UBL 2.0 Invoice or CreditNote of `invoice`, with `pdf` (the invoice as issued) attached."""
    document = _Document(invoice)
    return document.xml(pdf)


def _amount(value: Decimal) -> str:
    return f"{abs(value):.2f}"


def _payable(invoice: Invoice) -> Decimal:
    """What is left to pay when the invoice is issued: nothing for a place paid online."""
    if invoice.kind == Invoice.Kind.INVOICE and invoice.payment_id:
        return Decimal("0.00")
    return abs(invoice.total)


def _date(moment) -> str:
    return timezone.localtime(moment).date().isoformat()


class _Document:
    def __init__(self, invoice: Invoice):
        self.invoice = invoice
        self.credit = invoice.kind == Invoice.Kind.CREDIT
        self.root_namespace = NAMESPACES["creditnote" if self.credit else "invoice"]

    def add(self, parent, tag: str, text: str | None = None, **attributes) -> ElementTree.Element | None:
        """A child element, `prefix:Name`; a leaf with no text is left out (SI-UBL warns about empty elements)."""
        prefix, name = tag.split(":")
        if text is not None:
            text = str(text).strip()
            if not text:
                return None
        element = ElementTree.SubElement(parent, f"{{{NAMESPACES[prefix]}}}{name}", attributes)
        element.text = text
        return element

    def money(self, parent, tag: str, value: Decimal) -> None:
        self.add(parent, tag, _amount(value), currencyID=CURRENCY)

    def xml(self, pdf: bytes) -> bytes:
        invoice = self.invoice
        # The document's own namespace as the default one, as every importer expects (ElementTree writes a default
        # namespace only for documents without unqualified attributes, so it is declared by hand).
        root = ElementTree.Element("CreditNote" if self.credit else "Invoice", xmlns=self.root_namespace)
        self.add(root, "cbc:CustomizationID", CUSTOMIZATION_ID)
        self.add(root, "cbc:ProfileID", PROFILE_ID)
        self.add(root, "cbc:ID", invoice.number)
        self.add(root, "cbc:IssueDate", _date(invoice.issued_at))
        if not self.credit and invoice.due_at and _payable(invoice):
            self.add(root, "cbc:DueDate", _date(invoice.due_at))
        if self.credit:
            self.add(root, "cbc:CreditNoteTypeCode", "381")
        else:
            self.add(root, "cbc:InvoiceTypeCode", "380")
        if self.credit and invoice.reason:
            self.add(root, "cbc:Note", invoice.reason)
        self.add(root, "cbc:DocumentCurrencyCode", CURRENCY)
        self.add(root, "cbc:BuyerReference", self.buyer_reference())
        if self.credit:
            reference = self.add(root, "cac:BillingReference")
            self.add(self.add(reference, "cac:InvoiceDocumentReference"), "cbc:ID", invoice.credits.number)
        self.attachment(root, pdf)
        self.supplier(self.add(self.add(root, "cac:AccountingSupplierParty"), "cac:Party"))
        self.customer(self.add(self.add(root, "cac:AccountingCustomerParty"), "cac:Party"))
        self.payment_means(root)
        self.tax_total(root)
        self.totals(root)
        self.line(root)
        return ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True)

    def buyer_reference(self) -> str:
        customer = self.invoice.customer
        return (customer.get("reference") or customer.get("contact") or customer.get("participant")
                or self.invoice.number)[:60]

    def attachment(self, root, pdf: bytes) -> None:
        """The PDF as issued (BG-24), so the bookkeeping shows the invoice the customer reads."""
        reference = self.add(root, "cac:AdditionalDocumentReference")
        self.add(reference, "cbc:ID", self.invoice.number)
        self.add(reference, "cbc:DocumentDescription", "Creditfactuur" if self.credit else "Factuur")
        attachment = self.add(reference, "cac:Attachment")
        self.add(attachment, "cbc:EmbeddedDocumentBinaryObject", base64.b64encode(pdf).decode("ascii"),
                 mimeCode="application/pdf", filename=f"{self.invoice.number}.pdf")

    def address(self, party, details: dict, country: str) -> None:
        address = self.add(party, "cac:PostalAddress")
        self.add(address, "cbc:StreetName", details.get("street"))
        self.add(address, "cbc:CityName", details.get("city"))
        self.add(address, "cbc:PostalZone", details.get("postcode"))
        self.add(self.add(address, "cac:Country"), "cbc:IdentificationCode", country)

    def tax_scheme(self, party, vat_id: str) -> None:
        if vat_id:
            scheme = self.add(party, "cac:PartyTaxScheme")
            self.add(scheme, "cbc:CompanyID", vat_id)
            self.add(self.add(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")

    def supplier(self, party) -> None:
        supplier = self.invoice.supplier
        self.add(party, "cbc:EndpointID", supplier["kvk"], schemeID=KVK_SCHEME)
        self.add(self.add(party, "cac:PartyName"), "cbc:Name", supplier["name"])
        self.address(party, supplier, NETHERLANDS)
        self.tax_scheme(party, supplier["vat_id"])
        legal = self.add(party, "cac:PartyLegalEntity")
        self.add(legal, "cbc:RegistrationName", supplier["name"])
        self.add(legal, "cbc:CompanyID", supplier["kvk"], schemeID=KVK_SCHEME)
        if supplier.get("email"):
            self.add(self.add(party, "cac:Contact"), "cbc:ElectronicMail", supplier["email"])

    def customer(self, party) -> None:
        customer = self.invoice.customer
        # A public body is known by its OIN, anyone else Dutch by the KvK number.
        identifier, scheme = ((customer["oin"], OIN_SCHEME) if customer.get("oin")
                              else (customer.get("kvk", ""), KVK_SCHEME))
        if identifier:
            self.add(party, "cbc:EndpointID", identifier, schemeID=scheme)
        self.add(self.add(party, "cac:PartyName"), "cbc:Name", customer["company"])
        self.address(party, customer, customer.get("country", NETHERLANDS))
        self.tax_scheme(party, customer.get("vat_id", ""))
        legal = self.add(party, "cac:PartyLegalEntity")
        self.add(legal, "cbc:RegistrationName", customer["company"])
        if identifier:
            self.add(legal, "cbc:CompanyID", identifier, schemeID=scheme)
        if customer.get("contact") or customer.get("email"):
            contact = self.add(party, "cac:Contact")
            self.add(contact, "cbc:Name", customer.get("contact"))
            self.add(contact, "cbc:ElectronicMail", customer.get("email"))

    def payment_means(self, root) -> None:
        """How to pay what is open: by SEPA transfer to our IBAN, naming the RF reference (BR-NL-11, BR-61)."""
        invoice = self.invoice
        if self.credit:
            terms = self.add(root, "cac:PaymentTerms")
            self.add(terms, "cbc:Note", f"Verrekend met factuur {invoice.credits.number}; wat al betaald is, storten "
                                        "wij terug." if invoice.booking_id else
                     "Het bedrag wordt teruggestort op de rekening waarmee is betaald.")
            return
        if not _payable(invoice):
            return
        means = self.add(root, "cac:PaymentMeans")
        self.add(means, "cbc:PaymentMeansCode", SEPA_CREDIT_TRANSFER)
        self.add(means, "cbc:PaymentID", invoice.payment_reference or invoice.number)
        account = self.add(means, "cac:PayeeFinancialAccount")
        self.add(account, "cbc:ID", invoice.supplier["iban"].replace(" ", "").upper())
        if invoice.due_at:
            terms = self.add(root, "cac:PaymentTerms")
            self.add(terms, "cbc:Note", f"Te betalen uiterlijk {timezone.localtime(invoice.due_at):%d-%m-%Y} onder "
                                        f"vermelding van {invoice.payment_reference_printed or invoice.number}.")

    def category(self, parent, tag: str, *, reason: bool) -> None:
        invoice = self.invoice
        category = self.add(parent, tag)
        exempt = bool(invoice.vat_exemption_text)
        self.add(category, "cbc:ID", "E" if exempt else "S")
        self.add(category, "cbc:Percent", "0" if exempt else f"{invoice.vat_rate * 100:.2f}".rstrip("0").rstrip("."))
        if exempt and reason:
            self.add(category, "cbc:TaxExemptionReason", " ".join(invoice.vat_exemption_text.split()))
        self.add(self.add(category, "cac:TaxScheme"), "cbc:ID", "VAT")

    def tax_total(self, root) -> None:
        invoice = self.invoice
        total = self.add(root, "cac:TaxTotal")
        self.money(total, "cbc:TaxAmount", invoice.vat_amount)
        subtotal = self.add(total, "cac:TaxSubtotal")
        self.money(subtotal, "cbc:TaxableAmount", invoice.amount_excl_vat)
        self.money(subtotal, "cbc:TaxAmount", invoice.vat_amount)
        self.category(subtotal, "cac:TaxCategory", reason=True)

    def totals(self, root) -> None:
        invoice = self.invoice
        totals = self.add(root, "cac:LegalMonetaryTotal")
        self.money(totals, "cbc:LineExtensionAmount", invoice.amount_excl_vat)
        self.money(totals, "cbc:TaxExclusiveAmount", invoice.amount_excl_vat)
        self.money(totals, "cbc:TaxInclusiveAmount", invoice.total)
        prepaid = abs(invoice.total) - _payable(invoice)
        if prepaid:
            self.money(totals, "cbc:PrepaidAmount", prepaid)
        self.money(totals, "cbc:PayableAmount", _payable(invoice))

    def line(self, root) -> None:
        """One line: the seats on the date (or, on a credit invoice, what is credited), less any discount."""
        invoice = self.invoice
        line = self.add(root, "cac:CreditNoteLine" if self.credit else "cac:InvoiceLine")
        self.add(line, "cbc:ID", "1")
        quantity = 1 if self.credit else invoice.quantity
        self.add(line, "cbc:CreditedQuantity" if self.credit else "cbc:InvoicedQuantity", str(quantity),
                 unitCode=ONE)
        self.money(line, "cbc:LineExtensionAmount", invoice.amount_excl_vat)
        discount = Decimal("0.00") if self.credit else invoice.discount_excl_vat
        if discount:
            allowance = self.add(line, "cac:AllowanceCharge")
            self.add(allowance, "cbc:ChargeIndicator", "false")
            self.add(allowance, "cbc:AllowanceChargeReason",
                     f"Korting ({invoice.voucher_code})" if invoice.voucher_code else "Korting")
            self.money(allowance, "cbc:Amount", discount)
        item = self.add(line, "cac:Item")
        self.add(item, "cbc:Name", invoice.description[:200])
        self.category(item, "cac:ClassifiedTaxCategory", reason=False)
        listed = abs(invoice.amount_excl_vat) + discount
        price = self.add(line, "cac:Price")
        unit_price = listed / quantity
        if unit_price == unit_price.quantize(Decimal("0.01")):
            self.add(price, "cbc:PriceAmount", f"{unit_price:.2f}", currencyID=CURRENCY)
        else:  # the seats' price does not split into whole cents: the price is given for all of them
            self.add(price, "cbc:PriceAmount", f"{listed:.2f}", currencyID=CURRENCY)
            self.add(price, "cbc:BaseQuantity", str(quantity), unitCode=ONE)
