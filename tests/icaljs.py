"""Reads iCalendar text as Thunderbird does: with ical.js (Mozilla's engine, fetched by scripts/fetch_test_tools.py),
run by the Node that Playwright ships. Each event's UID, METHOD, SEQUENCE and its start and end as UTC instants,
computed by ical.js from the calendar's own VTIMEZONE."""

import json
import subprocess
import sys
from pathlib import Path

from playwright._impl._driver import compute_driver_executable

ICAL_JS = Path(sys.prefix) / "test-tools" / "ical.js"
READER = """
import ICAL from %s;
import fs from 'fs';
const calendar = new ICAL.Component(ICAL.parse(fs.readFileSync(0, 'utf8')));
for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(zone));
const events = calendar.getAllSubcomponents('vevent').map(component => {
  const event = new ICAL.Event(component);
  return {uid: event.uid, sequence: event.sequence, start: event.startDate && event.startDate.toJSDate().toISOString(),
          end: event.endDate && event.endDate.toJSDate().toISOString()};
});
console.log(JSON.stringify({method: calendar.getFirstPropertyValue('method'), events}));
"""


def read(ics: bytes) -> dict:
    assert ICAL_JS.exists(), "ical.js is missing: make install (scripts/fetch_test_tools.py) fetches it"
    node = compute_driver_executable()[0]
    script = READER % json.dumps(ICAL_JS.as_uri())
    out = subprocess.run([node, "--input-type=module", "-e", script], input=ics, capture_output=True, check=True,
                         timeout=60)
    return json.loads(out.stdout)
