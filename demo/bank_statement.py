"""The demo's bank statement: a CAMT.053 file (version .02, as the Dutch banks export it) in which Re-integratiebureau
De Brug pays its open invoice, naming its RF payment reference. The office uploads it in the admin (README)."""

from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>DEMO-{day:%Y%m%d}</MsgId><CreDtTm>{day:%Y-%m-%d}T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>DEMO-{day:%Y%m%d}-1</Id>
      <CreDtTm>{day:%Y-%m-%d}T18:00:00</CreDtTm>
      <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Ntry>
        <Amt Ccy="EUR">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{day:%Y-%m-%d}</Dt></BookgDt>
        <ValDt><Dt>{day:%Y-%m-%d}</Dt></ValDt>
        <AcctSvcrRef>DEMO{day:%Y%m%d}0001</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <Refs><AcctSvcrRef>DEMO{day:%Y%m%d}0001</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <AmtDtls><TxAmt><Amt Ccy="EUR">{amount}</Amt></TxAmt></AmtDtls>
          <RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr><DbtrAcct><Id><IBAN>NL02RABO0123456789</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{reference}</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def demo_statement(*, iban: str, payer: str, amount: Decimal, reference: str, day: date) -> bytes:
    return TEMPLATE.format(iban=escape(iban.replace(" ", "")), payer=escape(payer), amount=f"{amount:.2f}",
                           reference=escape(reference), day=day).encode()
