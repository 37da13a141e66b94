"""The SI-UBL 2.0 rules our e-invoices meet, checked as a receiving bookkeeping package would: the document parsed
by libxml2 (lxml, not the ElementTree that wrote it) and each rule written out in XPath from its published text
(EN 16931-1 business rules, the NLCIUS "BR-NL" rules of the SI-UBL 2.0 validation artefacts). `findings(xml)`
lists the rule ids a document breaks; an empty list means it passes every rule checked here.

During development the published artefact itself (the schematron of peppolautoriteit-nl/validation, compiled
to XSLT, run with Saxon-HE through saxonche) was run over the same documents: scripts/si_ubl_validate.py."""

from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
NLCIUS = "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"


def parse(xml: bytes):
    return etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))


def _texts(node, path: str) -> list[str]:
    return [str(value).strip() for value in node.xpath(path, namespaces=NS)]


def _text(node, path: str) -> str:
    found = _texts(node, path)
    return found[0] if found else ""


def _amount(node, path: str) -> Decimal:
    text = _text(node, path)
    return Decimal(text) if text else Decimal("0")


def findings(xml: bytes) -> list[str]:
    """The ids of the rules the document breaks."""
    root = parse(xml)
    credit = etree.QName(root).localname == "CreditNote"
    broken = []

    def rule(rule_id: str, holds: bool) -> None:
        if not holds:
            broken.append(rule_id)

    supplier = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    customer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    lines = root.findall("cac:CreditNoteLine" if credit else "cac:InvoiceLine", NS)
    type_code = _text(root, "cbc:CreditNoteTypeCode/text()" if credit else "cbc:InvoiceTypeCode/text()")
    totals = root.find("cac:LegalMonetaryTotal", NS)

    # EN 16931-1: what every invoice holds.
    rule("BR-01", _text(root, "cbc:CustomizationID/text()") != "")
    rule("SI-UBL-NLCIUS", _text(root, "cbc:CustomizationID/text()") == NLCIUS)
    rule("BR-02", _text(root, "cbc:ID/text()") != "")
    rule("BR-03", _text(root, "cbc:IssueDate/text()") != "")
    rule("BR-04", type_code != "")
    rule("BR-05", _text(root, "cbc:DocumentCurrencyCode/text()") != "")
    rule("BR-06", supplier is not None and _text(supplier, "cac:PartyLegalEntity/cbc:RegistrationName/text()") != "")
    rule("BR-07", customer is not None and _text(customer, "cac:PartyLegalEntity/cbc:RegistrationName/text()") != "")
    rule("BR-08", supplier is not None and supplier.find("cac:PostalAddress", NS) is not None)
    country = "cac:PostalAddress/cac:Country/cbc:IdentificationCode/text()"
    rule("BR-09", supplier is not None and _text(supplier, country) != "")
    rule("BR-10", customer is not None and customer.find("cac:PostalAddress", NS) is not None)
    rule("BR-11", customer is not None and _text(customer, country) != "")
    rule("BR-16", bool(lines))
    for endpoint in root.xpath("//cbc:EndpointID", namespaces=NS):
        rule("BR-62/63", bool(endpoint.get("schemeID")))
    for amount in root.xpath("//*[@currencyID][not(self::cbc:PriceAmount)]", namespaces=NS):
        rule("BR-DEC", len((amount.text or "").partition(".")[2]) <= 2)

    # EN 16931-1: the totals add up (BR-CO-10, -13, -15, -16) and say when to pay (BR-CO-25).
    line_total = sum((_amount(line, "cbc:LineExtensionAmount/text()") for line in lines), Decimal("0"))
    rule("BR-CO-10", totals is not None and _amount(totals, "cbc:LineExtensionAmount/text()") == line_total)
    if totals is not None:
        exclusive = _amount(totals, "cbc:TaxExclusiveAmount/text()")
        inclusive = _amount(totals, "cbc:TaxInclusiveAmount/text()")
        payable = _amount(totals, "cbc:PayableAmount/text()")
        rule("BR-CO-13", exclusive == _amount(totals, "cbc:LineExtensionAmount/text()")
             - _amount(totals, "cbc:AllowanceTotalAmount/text()") + _amount(totals, "cbc:ChargeTotalAmount/text()"))
        rule("BR-CO-15", inclusive == exclusive + _amount(root, "cac:TaxTotal/cbc:TaxAmount/text()"))
        rule("BR-CO-16", payable == inclusive - _amount(totals, "cbc:PrepaidAmount/text()")
             + _amount(totals, "cbc:PayableRoundingAmount/text()"))
        rule("BR-CO-25", credit or payable <= 0 or _text(root, "cbc:DueDate/text()") != ""  # of an Invoice
             or _text(root, "cac:PaymentTerms/cbc:Note/text()") != "")

    # VAT: per category, the taxable amount is the lines' and the tax is the rate's (BR-S-08/09, BR-CO-17); an
    # exempt one has rate and tax 0 and says why (BR-E-05, -09, -10); either needs the seller's VAT id (BR-S-02,
    # BR-E-02).
    for subtotal in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS):
        category = _text(subtotal, "cac:TaxCategory/cbc:ID/text()")
        percent = _amount(subtotal, "cac:TaxCategory/cbc:Percent/text()")
        taxable, tax = _amount(subtotal, "cbc:TaxableAmount/text()"), _amount(subtotal, "cbc:TaxAmount/text()")
        in_category = sum((_amount(line, "cbc:LineExtensionAmount/text()") for line in lines
                           if _text(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID/text()") == category),
                          Decimal("0"))
        rule(f"BR-{category}-08", taxable == in_category)
        # As the published rule reads it: within one euro of the rate's amount, rounded to the cent.
        rule("BR-CO-17", abs(tax - (taxable * percent / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)) < 1)
        rule(f"BR-{category}-02", supplier is not None and _text(
            supplier, "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID/text()") != "")
        if category == "E":
            rule("BR-E-05", percent == 0)
            rule("BR-E-09", tax == 0)
            rule("BR-E-10", _text(subtotal, "cac:TaxCategory/cbc:TaxExemptionReason/text()") != ""
                 or _text(subtotal, "cac:TaxCategory/cbc:TaxExemptionReasonCode/text()") != "")
        elif category == "S":
            rule("BR-S-05", percent > 0)

    # A line: its allowances say how much and why (BR-41, BR-42), and it adds up (net = quantity x price / base
    # quantity - allowances; PEPPOL-EN16931-R120, which importers check).
    for line in lines:
        allowances = line.findall("cac:AllowanceCharge[cbc:ChargeIndicator='false']", NS)
        for allowance in allowances:
            rule("BR-41", _text(allowance, "cbc:Amount/text()") != "")
            rule("BR-42", _text(allowance, "cbc:AllowanceChargeReason/text()") != ""
                 or _text(allowance, "cbc:AllowanceChargeReasonCode/text()") != "")
        quantity = _amount(line, "cbc:CreditedQuantity/text()" if credit else "cbc:InvoicedQuantity/text()")
        base = _amount(line, "cac:Price/cbc:BaseQuantity/text()") or Decimal("1")
        net = (quantity * _amount(line, "cac:Price/cbc:PriceAmount/text()") / base).quantize(Decimal("0.01"))
        net -= sum((_amount(allowance, "cbc:Amount/text()") for allowance in allowances), Decimal("0"))
        rule("PEPPOL-EN16931-R120", net == _amount(line, "cbc:LineExtensionAmount/text()"))
        rule("BR-25", _text(line, "cac:Item/cbc:Name/text()") != "")

    # Payment means: a transfer names the account (BR-61).
    for means in root.findall("cac:PaymentMeans", NS):
        code = _text(means, "cbc:PaymentMeansCode/text()")
        rule("BR-61", code not in ("30", "58") or _text(means, "cac:PayeeFinancialAccount/cbc:ID/text()") != "")
        rule("BR-NL-12", code in ("30", "48", "49", "57", "58", "59"))
    if credit:
        rule("BR-55", _text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID/text()") != "")

    # NLCIUS (the Dutch rules of SI-UBL 2.0), for a supplier in the Netherlands.
    legal_schemes = lambda party: set(party.xpath("cac:PartyLegalEntity/cbc:CompanyID/@schemeID", namespaces=NS))  # noqa: E731
    rule("BR-NL-1", supplier is not None and bool(legal_schemes(supplier) & {"0106", "0190"}))
    rule("BR-NL-2", _text(root, "cbc:BuyerReference/text()") != ""
         or _text(root, "cac:OrderReference/cbc:ID/text()") != "")
    if supplier is not None:
        rule("BR-NL-3", all(_text(supplier, f"cac:PostalAddress/cbc:{part}/text()")
                            for part in ("StreetName", "CityName", "PostalZone")))
    customer_in_nl = customer is not None and _text(
        customer, "cac:PostalAddress/cac:Country/cbc:IdentificationCode/text()") == "NL"
    if customer_in_nl:
        rule("BR-NL-4", all(_text(customer, f"cac:PostalAddress/cbc:{part}/text()")
                            for part in ("StreetName", "CityName", "PostalZone")))
        rule("BR-NL-10", bool(legal_schemes(customer) & {"0106", "0190"}))
    rule("BR-NL-7", type_code in ("380", "381", "384", "389"))
    rule("BR-NL-8", (type_code == "381") == credit)
    if not credit and totals is not None:
        rule("BR-NL-11", _amount(totals, "cbc:PayableAmount/text()") <= 0
             or root.find("cac:PaymentMeans", NS) is not None)
    rule("SI-UBL-2", not root.xpath("//*[not(*) and not(normalize-space())]", namespaces=NS))
    return broken
