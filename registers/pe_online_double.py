"""A small stand-in for PE-online's attendance webservice, as a real HTTP server on loopback.

PE-online cannot be reached from the machines we build and test on. The application posts to this server
exactly what it would post to PE-online (`sXML` to `…/WriteAttendance.asmx/ProcessXML`), and gets the
answer PE-online gives: a `Summary` wrapped in ASMX's `<string>`, with an `Error` per rejected row and an
`Accepted` per accepted one.

    python -m registers.pe_online_double --port 12112 --user-id 4711 --user-key demo-key

It checks the document the way PE-online does: a malformed or incomplete document is a 400 (nothing is
registered); a wrong user id or key rejects every row; per row, a register number that is not digits or
is listed as unknown (error 110), a course id it does not know when courses are configured, or an end date
outside the course's accreditation period (error 100), and attendance registered before (error 120).
For tests, POST /_double/config with JSON ({"fail_next": 1, "fail_status": 500}, {"garbage_next": 1})
makes the next answers fail; GET /_double/attendance lists what was registered.
State lives in memory: this is a test double, one process, never production.
"""

import argparse
import html
import json
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

from defusedxml import ElementTree as SafeET

from core.loopback import LoopbackServer

from .pe_online import PATH

SETTINGS_FIELDS = ("userID", "userRole", "userKey", "orgID", "settingOutput", "emailOutput", "languageID",
                   "defaultLanguageID")
UNKNOWN_PERSON = 110, "Person not found: externalPersonID is not a registered member"
NOT_ACCREDITED = 100, "course not (correctly) accredited; date outside all accreditation periods"
ALREADY_REGISTERED = 120, "attendance already registered for this person, course and date"
NOT_AUTHORISED = 10, "userID and userKey do not match an EDU account for this orgID"


class Malformed(Exception):
    pass


@dataclass
class Double:
    user_id: str = ""
    user_key: str = ""
    unknown_persons: set = field(default_factory=set)
    # PECourseID → (first, last) day of its accreditation period; empty: every course id is accredited.
    courses: dict = field(default_factory=dict)
    fail_next: int = 0
    fail_status: int = 500
    garbage_next: int = 0
    registered: list = field(default_factory=list)  # (orgID, course, person, end date)
    requests: list = field(default_factory=list)  # every sXML received
    lock: threading.RLock = field(default_factory=threading.RLock)

    def process(self, document: str) -> str:
        """The Summary for one Entry document; raises Malformed for what PE-online refuses as a whole."""
        try:
            entry = SafeET.fromstring(document)
        except SafeET.ParseError as error:
            raise Malformed(f"sXML is not well-formed XML: {error}") from error
        if entry.tag != "Entry":
            raise Malformed("the root element must be <Entry>")
        options = entry.find("Settings")
        if options is None or any(options.find(name) is None for name in SETTINGS_FIELDS):
            raise Malformed(f"<Settings> needs {', '.join(SETTINGS_FIELDS)}")
        value = {name: (options.findtext(name) or "").strip() for name in SETTINGS_FIELDS}
        if value["userRole"] != "EDU":
            raise Malformed("userRole must be EDU")
        rows = [self._row(attendance) for attendance in entry.findall("Attendance")]
        if not rows:
            raise Malformed("no <Attendance> elements")
        authorised = (value["userID"], value["userKey"]) == (self.user_id, self.user_key) and value["orgID"]
        summary = ET.Element("Summary")
        results = ET.SubElement(summary, "Results")
        accepted = 0
        for course, person, end in rows:
            error = NOT_AUTHORISED if not authorised else self._check(value["orgID"], course, person, end)
            element = ET.SubElement(summary, "Error" if error else "Accepted")
            for tag, text in (("person", person), ("course", course), ("date", end.isoformat())):
                ET.SubElement(element, tag).text = text
            if error:
                ET.SubElement(element, "errorNR").text = str(error[0])
                ET.SubElement(element, "errorMsg").text = error[1]
            else:
                accepted += 1
                self.registered.append((value["orgID"], course, person, end.date()))
        for tag, count in (("rejected_rows", len(rows) - accepted), ("accepted_rows", accepted),
                           ("total_rows", len(rows))):
            ET.SubElement(results, tag).text = str(count)
        wrapper = ET.Element("string", xmlns="http://www.pe-online.org/")
        wrapper.text = ET.tostring(summary, encoding="unicode")
        return ET.tostring(wrapper, encoding="unicode", xml_declaration=True)

    @staticmethod
    def _row(attendance: ET.Element) -> tuple[str, str, datetime]:
        course = (attendance.findtext("PECourseID") or attendance.findtext("externalCourseID") or "").strip()
        person = (attendance.findtext("externalPersonID") or "").strip()
        end_text = (attendance.findtext("endDate") or "").strip()
        if not course or not person or not end_text:
            raise Malformed("every <Attendance> needs a course id, externalPersonID and endDate")
        try:
            end = datetime.fromisoformat(end_text)
        except ValueError as error:
            raise Malformed(f"endDate {end_text!r} is not an xs:dateTime") from error
        if end.tzinfo is None:
            raise Malformed(f"endDate {end_text!r} has no offset")
        return course, person, end

    def _check(self, org_id: str, course: str, person: str, end: datetime) -> tuple[int, str] | None:
        if not person.isdigit() or person in self.unknown_persons:
            return UNKNOWN_PERSON
        if self.courses:
            period = self.courses.get(course)
            if period is None or not date.fromisoformat(period[0]) <= end.date() <= date.fromisoformat(period[1]):
                return NOT_ACCREDITED
        if (org_id, course, person, end.date()) in self.registered:
            return ALREADY_REGISTERED
        return None


class Handler(BaseHTTPRequestHandler):
    server_version = "pe-online-double/1"
    double: Double

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: str, content_type: str = "text/xml; charset=utf-8") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if urlparse(self.path).path == "/_double/attendance":
            with self.double.lock:
                rows = [[org, course, person, day.isoformat()] for org, course, person, day in self.double.registered]
            self._send(200, json.dumps(rows), "application/json")
        else:
            self._send(404, "not found", "text/plain")

    def do_POST(self):
        path = urlparse(self.path).path
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        double = self.double
        with double.lock:
            if path == "/_double/config":
                for name, value in json.loads(body or "{}").items():
                    setattr(double, name, set(value) if name == "unknown_persons" else value)
                self._send(200, "{}", "application/json")
                return
            if not path.endswith("/" + PATH):
                self._send(404, "not found", "text/plain")
                return
            if double.fail_next:
                double.fail_next -= 1
                self._send(double.fail_status, "<html><body>Service Unavailable</body></html>", "text/html")
                return
            if double.garbage_next:
                double.garbage_next -= 1
                self._send(200, "<html><body>Onderhoud</body></html>", "text/html")
                return
            document = (parse_qs(body).get("sXML") or [""])[0]
            double.requests.append(document)
            try:
                self._send(200, double.process(document))
            except Malformed as error:
                self._send(400, f"<html><body>{html.escape(str(error))}</body></html>", "text/html")


class PeOnlineDoubleServer(LoopbackServer):
    """The double on a loopback port, in a thread: `with PeOnlineDoubleServer() as pe_online: …`."""

    def __init__(self, *, port: int = 0, user_id: str = "", user_key: str = ""):
        super().__init__(Double(user_id=user_id, user_key=user_key), Handler, port=port)
        self.url = f"{self.base_url}/pe-services/{PATH}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=12112)
    parser.add_argument("--user-id", default="4711")
    parser.add_argument("--user-key", default="demo-key")
    parser.add_argument("--unknown-person", action="append", default=[],
                        help="A register number PE-online does not know (rejected with error 110).")
    args = parser.parse_args()
    server = PeOnlineDoubleServer(port=args.port, user_id=args.user_id, user_key=args.user_key)
    server.double.unknown_persons = set(args.unknown_person)
    print(f"PE-online test double on {server.url}", flush=True)  # noqa: T201
    server.serve_until_interrupted()


if __name__ == "__main__":
    main()
