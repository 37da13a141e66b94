"""Test tools that are not Python packages, fetched from their registry with a pinned checksum into the virtualenv:
ical.js (Mozilla's iCalendar engine, the one Thunderbird uses; MPL-2.0), which tests/icaljs.py runs with the Node
that Playwright ships, to read our calendar invitations as a mail client would."""

import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

TOOLS = Path(sys.prefix) / "test-tools"
ICAL_JS = ("https://registry.npmjs.org/ical.js/-/ical.js-2.2.1.tgz",
           "36482280d62cc50f0adddb0587612cff32b96df18eb9e2071ec9929c2e7b3107", "package/dist/ical.js")


def fetch(url: str, sha256: str, member: str, target: Path) -> None:
    if target.exists():
        return
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (a fixed https URL)
            archive = response.read()
    except OSError as error:
        sys.exit(f"Could not fetch the test tool {url} ({error}): the tests need it; is the npm registry reachable?")
    if hashlib.sha256(archive).hexdigest() != sha256:
        sys.exit(f"{url} does not match its pinned checksum")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        content = tar.extractfile(member).read()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)


if __name__ == "__main__":
    fetch(*ICAL_JS, TOOLS / "ical.js")
