"""Bank statements in, invoices paid: the office uploads the CAMT.053 file its bank exports (versions .02 and .08,
written here as the banks write them), sees what it will record, and records it once, however often the file
comes in."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payments import bank_statements
from payments.models import BankLine, BankStatement, BankTransfer, Invoice
from payments.selectors import balance
from places import bookings as places_bookings
from tests.factories import UserFactory, make_date, make_organisation

pytestmark = pytest.mark.django_db
OURS = "NL91ABNA0417164300"
YESTERDAY = date.today() - timedelta(days=1)


def transaction_details(amount, *, payer="De Brug", iban="NL02RABO0123456789", text="", reference="", bank_ref="",
                        version="08", debit=False):
    party = f"<Pty><Nm>{payer}</Nm></Pty>" if version == "08" else f"<Nm>{payer}</Nm>"
    remittance = (f"<Strd><CdtrRefInf><Ref>{reference}</Ref></CdtrRefInf></Strd>" if reference else "") + (
        f"<Ustrd>{text}</Ustrd>" if text else "")
    return (f"<TxDtls>{f'<Refs><AcctSvcrRef>{bank_ref}</AcctSvcrRef></Refs>' if bank_ref else ''}"
            f"<AmtDtls><TxAmt><Amt Ccy=\"EUR\">{amount}</Amt></TxAmt></AmtDtls>"
            f"{'<CdtDbtInd>DBIT</CdtDbtInd>' if debit else ''}"
            f"<RltdPties><Dbtr>{party}</Dbtr><DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></RltdPties>"
            f"<RmtInf>{remittance}</RmtInf></TxDtls>")


def entry(amount, details: list[str], *, version="08", credit=True, booked=YESTERDAY, bank_ref=""):
    status = "<Sts><Cd>BOOK</Cd></Sts>" if version == "08" else "<Sts>BOOK</Sts>"
    return (f"<Ntry><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd>{status}"
            f"<BookgDt><Dt>{booked.isoformat()}</Dt></BookgDt>"
            f"{f'<AcctSvcrRef>{bank_ref}</AcctSvcrRef>' if bank_ref else ''}"
            f"<NtryDtls>{''.join(details)}</NtryDtls></Ntry>")


def statement(entries: list[str], *, version="08", iban=OURS) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
            f'camt.053.001.{version}"><BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-12-05T18:00:00'
            f'</CreDtTm></GrpHdr><Stmt><Id>STMT-1</Id><Acct><Id><IBAN>{iban}</IBAN></Id></Acct>{"".join(entries)}'
            f"</Stmt></BkToCstmrStmt></Document>").encode()


@pytest.fixture
def invoices(course):
    """Four open invoices of one organisation, for 1, 1, 2 and 1 seats (495 each)."""
    contact = UserFactory()
    organisation = make_organisation(contact)
    result = []
    for seats in (1, 1, 2, 1):
        booking = places_bookings.booking_on_invoice(course_date=make_date(course), organisation=organisation,
                                                     booked_by=contact, seats=seats)
        result.append(Invoice.objects.get(booking=booking))
    return result


def upload(client, content: bytes, name="afschrift.xml"):
    return client.post(reverse("bank_statement_upload"), {"file": SimpleUploadedFile(name, content)}, follow=True)


def test_the_office_uploads_a_statement_sees_what_it_will_record_and_records_it(client, invoices):
    first, second, third, fourth = invoices
    content = statement([
        entry("495.00", [transaction_details("495.00", reference=first.payment_reference, bank_ref="A1")]),
        # A batch: one entry holding two transactions.
        entry("300.00", [transaction_details("200.00", text=f"factuur {second.number} deel 1", bank_ref="B1"),
                         transaction_details("100.00", text="contributie", payer="Iemand", bank_ref="B2")]),
        # One transfer for two invoices, and 10 euro too much.
        entry("1495.00", [transaction_details(
            "1495.00", text=f"Facturen {third.number.replace('-', '')} en {fourth.payment_reference_printed}",
            bank_ref="C1")]),
        entry("50.00", [transaction_details("50.00", text="bankkosten", bank_ref="D1")], credit=False),
    ])
    client.force_login(UserFactory(is_superuser=True))

    preview = upload(client, content)
    page = preview.content.decode()
    assert BankTransfer.objects.count() == 0  # nothing recorded before the office confirms
    for expected in ["4 nieuwe regels", f"Betaalt {first.number} volledig",
                     f"{second.number}: €\u00a0200,00, nog open €\u00a0295,00", "Geen factuur gevonden",
                     f"Betaalt {third.number} volledig", f"Betaalt {fourth.number} volledig",
                     "€\u00a010,00 te veel: blijft staan"]:
        assert expected in page, expected
    assert "1 uitgaande boeking overgeslagen" in page

    recorded = client.post(preview.redirect_chain[-1][0], {"confirm": "1"}, follow=True)
    assert "4 betalingen vastgelegd" in recorded.content.decode()
    assert [balance(invoice).open for invoice in invoices] == [Decimal("0"), Decimal("295.00"), Decimal("0"),
                                                             Decimal("0")]
    lines = {line.description[:12]: line for line in BankLine.objects.all()}
    assert lines["contributie"].status == BankLine.Status.WAITING
    overpaid = BankLine.objects.get(transfers__invoice=third)
    assert overpaid.status == BankLine.Status.WAITING and overpaid.left_over == Decimal("10.00")
    transfer = BankTransfer.objects.get(invoice=first)
    assert transfer.received_on == YESTERDAY and transfer.bank_line.statement.iban == OURS


def test_the_same_statement_twice_records_nothing_twice_but_two_identical_payments_stay_two(client, invoices):
    first = invoices[0]
    # Version .02 from a bank that gives no reference of its own: two genuine identical payments of half.
    half = transaction_details("247.50", text=f"betaling {first.number}", version="02")
    content = statement([entry("247.50", [half], version="02"), entry("247.50", [half], version="02")],
                        version="02")
    client.force_login(UserFactory(is_superuser=True))

    preview = upload(client, content)
    client.post(preview.redirect_chain[-1][0], {"confirm": "1"})
    again = upload(client, content, name="nogmaals.xml")
    assert "Al eerder ingelezen: 2 regels" in again.content.decode()
    client.post(again.redirect_chain[-1][0], {"confirm": "1"})

    assert BankTransfer.objects.filter(invoice=first).count() == 2 and balance(first).open == 0
    assert BankStatement.objects.count() == 2 and BankLine.objects.count() == 2


@pytest.mark.parametrize(("content", "message"), [
    (b"geen xml", "geen XML-bestand"),
    (b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"/>', "geen CAMT.053"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "geen XML-bestand"),
    (b"<x>" + b" " * (6 * 1024 * 1024) + b"</x>", "groter dan 5 MB"),
])
def test_a_file_that_is_not_a_statement_is_refused_with_a_reason_and_nothing_kept(client, db, content, message):
    client.force_login(UserFactory(is_superuser=True))
    response = upload(client, content)
    assert message in response.content.decode()
    assert not BankStatement.objects.exists()


def test_the_reference_is_read_however_it_was_typed():
    assert bank_statements.mentions("Betaling RF52 2026 0000 15 dank", number="2026-000015",
                                    payment_reference="RF522026000015")
    assert bank_statements.mentions("fact 2026000015", number="2026-000015", payment_reference="")
    assert not bank_statements.mentions("fact 2026-000016", number="2026-000015", payment_reference="RF5220260000")


def test_a_statement_read_again_before_it_was_recorded_opens_that_statement(client, invoices):
    content = statement([entry("495.00", [transaction_details("495.00", text=invoices[0].number, bank_ref="Z1")])])
    client.force_login(UserFactory(is_superuser=True))
    first = upload(client, content).redirect_chain[-1][0]
    assert upload(client, content).redirect_chain[-1][0] == first
    assert BankStatement.objects.count() == 1


def test_a_statement_left_at_its_preview_is_not_stranded_by_an_overlapping_one(client, invoices):
    first, second = invoices[:2]
    monday = entry("495.00", [transaction_details("495.00", text=first.number, bank_ref="M1")])
    tuesday = entry("495.00", [transaction_details("495.00", text=second.number, bank_ref="T1")])
    client.force_login(UserFactory(is_superuser=True))
    upload(client, statement([monday]))  # left at its preview: the office pressed "Cancel"

    preview = upload(client, statement([monday, tuesday]))  # the week's statement, overlapping
    assert "2 nieuwe regels" in preview.content.decode()
    client.post(preview.redirect_chain[-1][0], {"confirm": "1"})
    assert balance(first).open == 0 and balance(second).open == 0


def test_a_statement_of_another_account_or_currency_pays_nothing(client, invoices):
    from core.models import ProviderSettings

    ProviderSettings.objects.update_or_create(defaults={"iban": "NL91 ABNA 0417 1643 00"})
    client.force_login(UserFactory(is_superuser=True))
    line = entry("495.00", [transaction_details("495.00", text=invoices[0].number, bank_ref="O1")])
    other = upload(client, statement([line], iban="NL20INGB0001234567"))
    assert "niet van de rekening waarop facturen worden betaald" in other.content.decode()
    dollars = statement([line.replace('Ccy="EUR"', 'Ccy="USD"')])
    preview = upload(client, dollars)
    assert "0 nieuwe regels" in preview.content.decode() and not BankLine.objects.exists()


def test_a_transfer_typed_by_hand_meanwhile_is_not_paid_twice(client, invoices):
    from payments import transfers

    first = invoices[0]
    client.force_login(office := UserFactory(is_superuser=True))
    preview = upload(client, statement([entry("495.00", [transaction_details("495.00", text=first.number,
                                                                             bank_ref="R1")])]))
    transfers.bank_transfer_record(invoice=first, amount=Decimal("495.00"), received_on=YESTERDAY, actor=office)
    after = client.post(preview.redirect_chain[-1][0], {"confirm": "1"}, follow=True)
    assert after.status_code == 200
    assert BankTransfer.objects.filter(invoice=first).count() == 1  # the one typed by hand, nothing twice
    assert BankLine.objects.get().status == BankLine.Status.WAITING  # the money waits for the office


def test_the_office_assigns_a_waiting_line_undoes_a_wrong_match_and_dismisses_the_rest(client, invoices):
    first, second = invoices[:2]
    client.force_login(UserFactory(is_superuser=True))
    preview = upload(client, statement([
        entry("495.00", [transaction_details("495.00", text="Eva de Vries cursus", bank_ref="W1")]),
        entry("495.00", [transaction_details("495.00", text=first.number, payer="Verkeerd BV", bank_ref="W2")]),
    ]))
    client.post(preview.redirect_chain[-1][0], {"confirm": "1"})
    waiting = BankLine.objects.get(description="Eva de Vries cursus")
    wrong = BankLine.objects.get(counterparty="Verkeerd BV")

    # Assign the waiting line to the second invoice: a step says how much, on which invoice, for whom.
    url = reverse("bank_line_assign", args=[waiting.pk])
    step = client.post(url, {"invoice": second.pk, "amount": "495,00"})
    assert f"€\u00a0495,00 vastleggen op factuur {second.number}?" in step.content.decode()
    assert balance(second).open == Decimal("495.00")  # nothing moved before the confirmation
    client.post(url, {"invoice": second.pk, "amount": "495,00", "confirmed": "1"})
    assert balance(second).open == 0
    waiting.refresh_from_db()
    assert waiting.status == BankLine.Status.MATCHED

    # The second line paid the first invoice, but the payer meant something else: undo, then dismiss.
    inspect = client.get(reverse("bankline:inspect", args=[wrong.pk])).content.decode()
    assert reverse("bank_line_undo", args=[wrong.pk]) in inspect
    client.post(reverse("bank_line_undo", args=[wrong.pk]), {"confirmed": "1"})
    assert balance(first).open == Decimal("495.00") and not wrong.transfers.exists()
    client.post(reverse("bank_line_dismiss", args=[wrong.pk]), {"reason": "Teruggestort op 12-12"})
    wrong.refresh_from_db()
    assert wrong.status == BankLine.Status.DISMISSED
    history = client.get(reverse("bankline:history", args=[wrong.pk])).content.decode()
    assert "Teruggestort op 12-12" in history
