"""Runs the published SI-UBL 2.0 validation artefact over e-invoices and prints, per file, its fatal errors and
warnings: the judge of tests/si_ubl.py's rules, run by hand (it is not fetched in `make test`).

    pip install saxonche                       # Saxon-HE for Python (the artefact is XSLT 2.0)
    git clone https://github.com/peppolautoriteit-nl/validation   # xsl/si-ubl-2.0.xsl
    mkdir -p /tmp/e-invoices && SI_UBL_DUMP=/tmp/e-invoices .venv/bin/pytest tests/payments/test_e_invoices.py
    python scripts/si_ubl_validate.py validation/xsl/si-ubl-2.0.xsl /tmp/e-invoices/*.xml

Last line: `si_ubl documents=N fatal=N warnings=N`.
"""

import sys
import xml.etree.ElementTree as ElementTree

SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def main(stylesheet: str, documents: list[str]) -> int:
    from saxonche import PySaxonProcessor

    totals = {"fatal": 0, "warnings": 0}
    with PySaxonProcessor(license=False) as processor:
        executable = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=stylesheet)
        for path in documents:
            report = ElementTree.fromstring(  # noqa: S314 (Saxon's own report)
                executable.transform_to_string(source_file=path).encode())
            failed = report.iter(f"{SVRL}failed-assert")
            fatal, warnings = [], []
            for assertion in failed:
                (fatal if assertion.get("flag") == "fatal" else warnings).append(assertion)
            fired = sum(1 for _ in report.iter(f"{SVRL}fired-rule"))
            print(f"{path}: fatal={len(fatal)} warnings={len(warnings)} rules_fired={fired}")  # noqa: T201
            for assertion in fatal + warnings:
                print(f"    {assertion.get('flag')} {assertion.get('id')}: "  # noqa: T201
                      f"{' '.join(assertion.findtext(f'{SVRL}text', '').split())[:200]}")
            totals["fatal"] += len(fatal)
            totals["warnings"] += len(warnings)
    print(f"si_ubl documents={len(documents)} fatal={totals['fatal']} warnings={totals['warnings']}")  # noqa: T201
    return 1 if totals["fatal"] else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
