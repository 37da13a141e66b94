"""Bank statements in, invoices paid: the office uploads the CAMT.053 file its bank exports (ISO 20022, the Bank
to Customer Statement of ING, Rabobank, ABN AMRO and the others; versions .02 to .08 read alike), sees what it
will record, and records it on confirmation through the same service as a bank transfer typed by hand.

Each incoming (credit, booked) transaction is one line: an entry may hold several (a batch). A line finds its
invoices by what the payer wrote: the invoice's RF payment reference or its number, in the structured creditor
reference or the free text. Its amount pays them in the order of their numbers, each up to what is still open:
a line that pays less leaves the invoice partly paid, a line that pays two invoices pays both, and what is left
over (an overpayment, or a line that names no invoice) waits in the list of bank lines for the office to assign
or dismiss.

A line is known by the account's IBAN and the bank's own reference for it; a bank that gives none is known by
what the line says (date, amount, payer, description) and how many identical lines came before it in the same
statement, so uploading a statement twice, or two that overlap, records nothing twice, while two genuine
identical payments on one day stay two."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from defusedxml import ElementTree
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record
from core.formats import euro
from core.models import ProviderSettings

from .models import BankLine, BankStatement, Invoice
from .selectors import balance_of, with_balances
from .transfers import bank_transfer_record

MAX_BYTES = 5 * 1024 * 1024  # a month of a small business's statements is well under 1 MB
CAMT_053 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."


class StatementError(Exception):
    """A file that is not a statement we can read; the message is for the office."""


@dataclass
class Transaction:
    """One incoming transaction as the bank reported it."""

    identity: str  # unique per account: the bank's reference, else what the line says and its place
    booked_on: date
    amount: Decimal
    counterparty: str = ""
    counterparty_iban: str = ""
    description: str = ""  # the structured reference and the free text, as the payer wrote them


@dataclass
class Statement:
    iban: str
    statement_id: str
    transactions: list[Transaction] = field(default_factory=list)
    outgoing: int = 0  # debit lines: money out, not ours to match


def _tag(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _find(element, path: str):
    """The first element at `path` (tag names separated by /, in any namespace)."""
    if element is None:
        return None
    return element.find("/".join(f"{{*}}{part}" for part in path.split("/")))


def _text(element, path: str) -> str:
    found = _find(element, path)
    return " ".join((found.text or "").split()) if found is not None else ""


def _amount(element, path: str) -> Decimal | None:
    text = _text(element, path)
    try:
        return Decimal(text) if text else None
    except InvalidOperation as error:
        raise StatementError(f"Het bedrag {text!r} is geen bedrag.") from error


def _status(entry) -> str:
    """BOOK, PDNG or INFO: a code of its own in .08, the element's text in .02."""
    return _text(entry, "Sts/Cd") or _text(entry, "Sts")


def _party(details, role: str) -> tuple[str, str]:
    """The name and IBAN of the debtor (who paid us): under Pty in .08, directly in .02."""
    name = _text(details, f"RltdPties/{role}/Pty/Nm") or _text(details, f"RltdPties/{role}/Nm")
    return name, _text(details, f"RltdPties/{role}Acct/Id/IBAN").replace(" ", "").upper()


def _remittance(details) -> str:
    information = _find(details, "RmtInf")
    if information is None:
        return ""
    parts = [" ".join((element.text or "").split()) for element in information.iter()
             if _tag(element) in ("Ustrd", "Ref") and element.text]
    return " ".join(part for part in parts if part)


def parse(content: bytes) -> Statement:
    """The statement in a CAMT.053 file (the first account's, when it holds several statements of one)."""
    if len(content) > MAX_BYTES:
        raise StatementError("Dit bestand is groter dan 5 MB; download een kortere periode.")
    try:
        root = ElementTree.fromstring(content, forbid_dtd=True)
    except Exception as error:  # defusedxml's refusals and expat's syntax errors alike
        raise StatementError("Dit is geen XML-bestand (CAMT.053) dat we kunnen lezen.") from error
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if not namespace.startswith(CAMT_053):
        raise StatementError("Dit is geen CAMT.053-bankafschrift. Kies in je bankomgeving 'CAMT.053' als formaat.")
    statements = root.findall("{*}BkToCstmrStmt/{*}Stmt")
    if not statements:
        raise StatementError("Dit bankafschrift bevat geen afschrift.")
    ibans = {_text(statement, "Acct/Id/IBAN").replace(" ", "").upper() for statement in statements}
    if len(ibans) != 1 or not next(iter(ibans)):
        raise StatementError("Dit bestand bevat afschriften van meer dan één rekening; upload ze apart.")
    result = Statement(iban=ibans.pop(), statement_id=" + ".join(_text(s, "Id") for s in statements)[:100])
    seen: dict[str, int] = {}
    for statement in statements:
        for entry in statement.findall("{*}Ntry"):
            if _text(entry, "CdtDbtInd") != "CRDT" or _status(entry) not in ("BOOK", ""):
                result.outgoing += _text(entry, "CdtDbtInd") == "DBIT"
                continue
            _read_entry(entry, result, seen)
    return result


def _read_entry(entry, result: Statement, seen: dict[str, int]) -> None:
    booked = _text(entry, "BookgDt/Dt") or _text(entry, "BookgDt/DtTm")[:10] or _text(entry, "ValDt/Dt")
    try:
        booked_on = date.fromisoformat(booked)
    except ValueError as error:
        raise StatementError(f"Een boeking heeft geen leesbare datum ({booked!r}).") from error
    entry_amount = _amount(entry, "Amt")
    if (_find(entry, "Amt").get("Ccy") or "EUR") != "EUR":  # invoices are in euros; another currency is not ours
        return
    details = entry.findall("{*}NtryDtls/{*}TxDtls") or [entry]
    for index, detail in enumerate(details):
        if len(details) > 1 and _text(detail, "CdtDbtInd") == "DBIT":
            continue
        amount = (_amount(detail, "AmtDtls/TxAmt/Amt") or _amount(detail, "Amt")
                  or (entry_amount if len(details) == 1 else None))
        if amount is None or amount <= 0:
            continue
        counterparty, counterparty_iban = _party(detail, "Dbtr")
        description = _remittance(detail) or _text(entry, "AddtlNtryInf")
        reference = (_text(detail, "Refs/AcctSvcrRef") or
                     (f"{_text(entry, 'AcctSvcrRef') or _text(entry, 'NtryRef')}/{index}"
                      if _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef") else ""))
        if reference:
            identity = f"{result.iban}|ref|{reference}"
        else:  # no reference from the bank: what the line says, and how many such lines came before it
            said = "|".join([result.iban, booked_on.isoformat(), f"{amount:.2f}", counterparty_iban, description,
                             _text(detail, "Refs/EndToEndId")])
            occurrence = seen.get(said, 0)
            seen[said] = occurrence + 1
            identity = f"{result.iban}|sum|{hashlib.sha256(said.encode()).hexdigest()[:40]}|{occurrence}"
        result.transactions.append(Transaction(identity=identity[:200], booked_on=booked_on, amount=amount,
                                               counterparty=counterparty[:140],
                                               counterparty_iban=counterparty_iban[:34],
                                               description=description[:500]))


def _spaced(text: str) -> str:
    """A pattern for `text` as a person may type it: with or without spaces (or a dash) between its characters."""
    return r"[\s-]?".join(re.escape(character) for character in text if character != "-")


def naming(*, number: str, payment_reference: str) -> re.Pattern:
    """What names an invoice in a payer's (upper-cased) description: its RF reference or its number, however
    spaced, and not as a part of a longer number (2026-000015 is not named by 2026-000150)."""
    wanted = [_spaced(number)] + ([_spaced(payment_reference)] if payment_reference else [])
    return re.compile(r"(?<![0-9A-Z])(?:" + "|".join(wanted) + r")(?![0-9])")


def mentions(description: str, *, number: str, payment_reference: str) -> bool:
    return naming(number=number, payment_reference=payment_reference).search(description.upper()) is not None


# What the office does with a statement: upload it, look at what it will record, record it.

def statement_upload(*, content: bytes, filename: str, actor, now=None) -> BankStatement:
    """Reads the file and keeps its lines that are new (lines read before, from this file or one that overlaps,
    are counted, not kept twice); nothing is recorded yet. A file read before and not yet recorded is that
    statement again, to look at and record."""
    parsed = parse(content)
    ours = ProviderSettings.load().iban.replace(" ", "").upper()
    if ours and parsed.iban != ours:
        raise StatementError(f"Dit afschrift is van rekening {parsed.iban}, niet van de rekening waarop facturen "
                             f"worden betaald ({ours}).")
    now = now or timezone.now()
    with transaction.atomic():
        identities = [line.identity for line in parsed.transactions]
        known = set(BankLine.objects.filter(identity__in=identities).values_list("identity", flat=True))
        waiting = BankStatement.objects.filter(recorded_at__isnull=True, lines__identity__in=identities).first()
        if waiting is not None and known == set(identities):
            return waiting
        # Lines read before but never recorded (a statement left at its preview) come along: nothing is stranded.
        pending = BankLine.objects.filter(identity__in=identities, status=BankLine.Status.NEW,
                                          statement__recorded_at__isnull=True)
        carried = set(pending.values_list("identity", flat=True))
        known -= carried
        statement = BankStatement.objects.create(
            iban=parsed.iban, statement_id=parsed.statement_id, filename=filename[:255],
            sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor, uploaded_at=now,
            known_lines=len(known), outgoing_lines=parsed.outgoing)
        BankLine.objects.bulk_create([
            BankLine(statement=statement, identity=line.identity, booked_on=line.booked_on, amount=line.amount,
                     counterparty=line.counterparty, counterparty_iban=line.counterparty_iban,
                     description=line.description)
            for line in parsed.transactions if line.identity not in known | carried], ignore_conflicts=True)
        pending.update(statement=statement)
        record(statement, "bank_statement.uploaded", actor=actor, at=now,
               note=f"{statement.iban} · {statement.statement_id}")
    return statement


def open_transfer_invoices():
    """The invoices paid by transfer that still ask something, oldest first, with `received` and `credited`."""
    return [invoice for invoice in with_balances(Invoice.objects.filter(kind=Invoice.Kind.INVOICE,
                                                                        booking__isnull=False)
                                                 .order_by("year", "sequence"))
            if balance_of(invoice).open > 0]


@dataclass
class Allocation:
    invoice: Invoice
    amount: Decimal
    open_after: Decimal  # what the invoice still asks once this is recorded


@dataclass
class Plan:
    """What recording a line does: the invoices it pays and how much, and what is left over for the office."""

    line: BankLine
    allocations: list[Allocation]
    left_over: Decimal


def plan(lines: list[BankLine]) -> list[Plan]:
    """What recording these lines (in this order) would do, against what the invoices paid by transfer still ask:
    two queries, however many lines and invoices."""
    invoices = open_transfer_invoices()
    still_open = {invoice.pk: balance_of(invoice).open for invoice in invoices}
    patterns = {invoice.pk: naming(number=invoice.number, payment_reference=invoice.payment_reference)
                for invoice in invoices}  # each compiled once, not once per line
    plans = []
    for line in lines:
        left = line.amount
        allocations = []
        said = line.description.upper()
        named = [invoice for invoice in invoices if patterns[invoice.pk].search(said)]
        for invoice in sorted(named, key=lambda invoice: (invoice.year, invoice.sequence)):
            paid = min(left, still_open[invoice.pk])
            if paid <= 0:
                continue
            still_open[invoice.pk] -= paid
            left -= paid
            allocations.append(Allocation(invoice=invoice, amount=paid, open_after=still_open[invoice.pk]))
        plans.append(Plan(line=line, allocations=allocations, left_over=left))
    return plans


@transaction.atomic
def statement_record(*, statement: BankStatement, actor, now=None) -> list[Plan]:
    """Records the statement's new lines as the preview showed them (against the balances as they are now), once:
    a statement recorded before records nothing."""
    now = now or timezone.now()
    statement = BankStatement.objects.select_for_update().get(pk=statement.pk)
    if statement.recorded_at is not None:
        return []
    # The invoices paid by transfer, locked while the plan is made and recorded: a transfer typed by hand or
    # another statement meanwhile waits, so the plan is recorded as it was made.
    list(Invoice.objects.select_for_update().filter(kind=Invoice.Kind.INVOICE, booking__isnull=False)
         .values_list("pk", flat=True))
    plans = plan(list(statement.lines.filter(status=BankLine.Status.NEW).order_by("booked_on", "pk")))
    for step in plans:
        line = step.line
        for allocation in step.allocations:
            bank_transfer_record(invoice=allocation.invoice, amount=allocation.amount, received_on=line.booked_on,
                                 note=f"{line.counterparty} · {line.description}"[:255], actor=actor, now=now,
                                 bank_line=line)
        line.status = BankLine.Status.MATCHED if step.allocations and not step.left_over else BankLine.Status.WAITING
        line.save(update_fields=["status"])
    statement.recorded_at, statement.recorded_by = now, actor
    statement.save(update_fields=["recorded_at", "recorded_by"])
    record(statement, "bank_statement.recorded", actor=actor, at=now,
           note=f"{sum(len(step.allocations) for step in plans)} payments recorded")
    return plans


# What the office does with a line that waits: pay an invoice with it, dismiss it, or undo a wrong match.

class LineError(Exception):
    """A rule that stops assigning, dismissing or undoing a line; the message is for the office."""


@transaction.atomic
def line_assign(*, line: BankLine, invoice: Invoice, amount: Decimal, actor, now=None):
    """Records `amount` of a waiting line on an invoice (through bank_transfer_record, which refuses more than the
    invoice still asks); the line is done once nothing of it is left."""
    line = BankLine.objects.select_for_update().get(pk=line.pk)
    if line.status not in (BankLine.Status.WAITING, BankLine.Status.MATCHED) or not 0 < amount <= line.left_over:
        raise LineError(_("At most %(left)s of this line is left to assign.") % {"left": euro(line.left_over)})
    transfer = bank_transfer_record(invoice=invoice, amount=amount, received_on=line.booked_on, actor=actor, now=now,
                                    note=f"{line.counterparty} · {line.description}"[:255], bank_line=line)
    line.status = BankLine.Status.MATCHED if not line.left_over else BankLine.Status.WAITING
    line.save(update_fields=["status"])
    record(line, "bank_line.assigned", actor=actor, at=now, note=f"{euro(amount)} → {invoice.number}")
    return transfer


@transaction.atomic
def line_dismiss(*, line: BankLine, reason: str, actor, now=None) -> BankLine:
    """A waiting line the office settles otherwise (paid back by hand, not for an invoice), with its reason."""
    line = BankLine.objects.select_for_update().get(pk=line.pk)
    if line.status != BankLine.Status.WAITING or not reason.strip():
        raise LineError(_("Only a waiting line can be dismissed, with a reason."))
    line.status = BankLine.Status.DISMISSED
    line.save(update_fields=["status"])
    record(line, "bank_line.dismissed", actor=actor, at=now, note=reason.strip()[:200])
    return line


@transaction.atomic
def line_undo(*, line: BankLine, actor, now=None) -> list[str]:
    """A wrong match undone: the line's transfers come off their invoices (which ask it again) and the line waits
    for the office. The invoices' and the line's history keep what was recorded and undone. The invoice numbers
    it came off."""
    line = BankLine.objects.select_for_update().get(pk=line.pk)
    transfers = list(line.transfers.select_related("invoice"))
    if not transfers:
        raise LineError(_("Nothing was recorded from this line."))
    for transfer in transfers:
        record(transfer.invoice, "invoice.bank_transfer_undone", actor=actor, at=now,
               note=f"{euro(transfer.amount)} · {transfer.received_on:%d-%m-%Y}")
        transfer.delete()
    line.status = BankLine.Status.WAITING
    line.save(update_fields=["status"])
    numbers = [transfer.invoice.number for transfer in transfers]
    record(line, "bank_line.undone", actor=actor, at=now, note=", ".join(numbers))
    return numbers
