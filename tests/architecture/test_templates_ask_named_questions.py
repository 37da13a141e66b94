"""Templates ask the model named questions (`place.is_confirmed`, `invoice.is_credit`) instead of comparing the
stored strings: a renamed status then breaks one property, not a page that silently shows the wrong thing."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPARED = re.compile(r"\.(status|kind|location_kind|approval|billing_type)\s*[!=]=\s*['\"]")


def test_no_template_compares_a_status_or_kind_with_a_string():
    found = []
    for template in ROOT.glob("*/templates/**/*"):
        if template.is_file() and ".venv" not in template.parts:
            for number, line in enumerate(template.read_text(errors="replace").splitlines(), start=1):
                if COMPARED.search(line):
                    found.append(f"{template.relative_to(ROOT)}:{number}")
    assert found == []


def test_the_check_finds_such_a_comparison():
    assert COMPARED.search('{% if submission.status == "queued" %}')
    assert not COMPARED.search("{% if submission.is_on_its_way %}")
