"""PE-online's attendance format and webservice: the XML we send, the answer it gives, and the HTTP call.

PE-online (Xaurum) runs the PE administration of several registers. A provider (`userRole` EDU) posts an
`Entry` document, as the form field `sXML`, to `…/WriteAttendance.asmx/ProcessXML`:

    <Entry>
      <Settings><userID/><userRole>EDU</userRole><userKey/><orgID/> (the register) <settingOutput/>
                <emailOutput/><languageID/><defaultLanguageID/></Settings>
      <Attendance><PECourseID/><externalPersonID/> (the register number) [<PEEditionID/>]
                  <endDate/> (xs:dateTime with offset)</Attendance> …
    </Entry>

and gets a `Summary`: `Results` (rejected_rows, accepted_rows, total_rows), an `Error` per rejected row
(person, course, date, errorNR, errorMsg) and an `Accepted` per accepted row (person, course, date). ASMX may
wrap that answer in a `<string>` element; both forms are read. Documents are built and read with ElementTree,
never by pasting strings together.
"""

import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.conf import settings

from core.converters import parse_id

PATH = "WriteAttendance.asmx/ProcessXML"
LANGUAGE_DUTCH = "1"
TIMEOUT_SECONDS = 30


class PeOnlineUnreachable(Exception):
    """No answer, or an answer that is not PE-online's (a 5xx, a proxy page): worth trying again later."""


class PeOnlineUnreadable(Exception):
    """PE-online answered, but not with a Summary we can read. Trying again could report people twice."""


@dataclass(frozen=True)
class Account:
    """A provider's webservice account, for one register (its orgID)."""

    url: str
    user_id: str
    user_key: str
    org_id: str


def account_for(register: str) -> Account | None:
    """The configured account for `register`, or None while PE_ONLINE_URL, the user id and key, or the
    register's orgID are missing."""
    org_id = settings.PE_ONLINE_ORG_IDS.get(register, "")
    if not (settings.PE_ONLINE_URL and settings.PE_ONLINE_USER_ID and settings.PE_ONLINE_USER_KEY and org_id):
        return None
    return Account(url=settings.PE_ONLINE_URL, user_id=settings.PE_ONLINE_USER_ID,
                   user_key=settings.PE_ONLINE_USER_KEY, org_id=org_id)


@dataclass(frozen=True)
class AttendanceLine:
    course_id: str
    person: str  # the register number
    end: datetime
    edition_id: str = ""


def _text(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, tag).text = value


def attendance_xml(lines: list[AttendanceLine], *, user_id: str = "", user_key: str = "", org_id: str = "",
                   email: str = "") -> bytes:
    """The Entry document for `lines`. Without a `user_key` (a file to download) the key stays empty."""
    entry = ET.Element("Entry")
    options = ET.SubElement(entry, "Settings")
    for tag, value in (("userID", user_id), ("userRole", "EDU"), ("userKey", user_key), ("orgID", org_id),
                       ("settingOutput", "1"), ("emailOutput", email), ("languageID", LANGUAGE_DUTCH),
                       ("defaultLanguageID", LANGUAGE_DUTCH)):
        _text(options, tag, value)
    for line in lines:
        attendance = ET.SubElement(entry, "Attendance")
        _text(attendance, "PECourseID", line.course_id)
        _text(attendance, "externalPersonID", line.person)
        if line.edition_id:
            _text(attendance, "PEEditionID", line.edition_id)
        _text(attendance, "endDate", line.end.isoformat(timespec="seconds"))
    ET.indent(entry)
    return ET.tostring(entry, encoding="utf-8", xml_declaration=True)


@dataclass(frozen=True)
class Rejection:
    person: str
    number: int | None
    message: str


@dataclass
class Answer:
    accepted: set[str] = field(default_factory=set)  # register numbers
    rejected: list[Rejection] = field(default_factory=list)
    total: int = 0


def _child(element: ET.Element, tag: str) -> str:
    """A child's text, whatever the case of its tag (PE-online's answers are not consistent about it)."""
    for child in element:
        if child.tag.rsplit("}", 1)[-1].lower() == tag.lower():
            return (child.text or "").strip()
    return ""


def answer_read(body: bytes) -> Answer:
    """The Summary PE-online answered, also when ASMX wrapped it in a <string> element."""
    try:
        root = SafeET.fromstring(body)
        if root.tag.rsplit("}", 1)[-1] == "string":
            root = SafeET.fromstring((root.text or "").strip().encode())
    except (SafeET.ParseError, DefusedXmlException, ValueError) as error:  # entities, DTDs: refused
        raise PeOnlineUnreadable(f"not XML PE-online would send: {error}") from error
    if root.tag.rsplit("}", 1)[-1] != "Summary":
        raise PeOnlineUnreadable(f"a <{root.tag}> instead of a <Summary>")
    results = next((child for child in root if child.tag.endswith("Results")), None)
    if results is None:
        raise PeOnlineUnreadable("a Summary without Results")
    answer = Answer()
    try:
        answer.total = int(_child(results, "total_rows") or 0)
    except ValueError as error:
        raise PeOnlineUnreadable("total_rows is not a number") from error
    for element in root:
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "Accepted":
            answer.accepted.add(_child(element, "person"))
        elif tag == "Error":
            number = _child(element, "errorNR")
            answer.rejected.append(Rejection(person=_child(element, "person"),
                                             number=parse_id(number),
                                             message=_child(element, "errorMsg")))
    return answer


def post(account: Account, document: bytes) -> bytes:
    """Posts `document` to the account's webservice and returns the body of a 200 answer."""
    url = account.url.rstrip("/")
    if not url.endswith(PATH):
        url = f"{url}/{PATH}"
    if urllib.parse.urlsplit(url).scheme not in ("https", "http"):
        raise PeOnlineUnreadable(f"PE_ONLINE_URL must be an http(s) address, not {url!r}")
    body = urllib.parse.urlencode({"sXML": document.decode()}).encode()
    request = urllib.request.Request(url, data=body, method="POST",  # noqa: S310 (http(s) only, checked above)
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.read()
    except urllib.error.HTTPError as error:
        if error.code >= 500:
            raise PeOnlineUnreachable(f"PE-online answered HTTP {error.code}") from error
        raise PeOnlineUnreadable(f"PE-online answered HTTP {error.code}") from error
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise PeOnlineUnreachable(f"PE-online could not be reached: {getattr(error, 'reason', error)}") from error


def with_key(document: bytes, user_key: str) -> bytes:
    """The stored document (sent without its key) with the account's user key, for sending."""
    entry = SafeET.fromstring(document)
    entry.find("Settings/userKey").text = user_key
    return ET.tostring(entry, encoding="utf-8", xml_declaration=True)
