"""ReportLab as we use it: text from people and the CMS never becomes markup, and the engine reads no file or
URL that our code did not hand it.

ReportLab's `Paragraph` parses a mini-HTML: `<img src="http://…">` in a name makes the server fetch that URL,
`<img src="/etc/…">` opens a local file, and a stray `<b>` raises. Every text that goes into a Paragraph passes
through `markup_text` (escaped, so it prints as typed). `drawString` parses nothing and takes plain text.
Behind that, `guard_reportlab` (at start-up) lets ReportLab open only file objects our code made and files
under its own and our font folders: its trusted-hosts setting guards URLs, not local paths."""

from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import utils as rl_utils
from reportlab.pdfbase import pdfdoc

FONT_ROOTS = [Path(reportlab.__file__).resolve().parent, Path("/usr/share/fonts")]


class UntrustedResource(OSError):
    pass


def markup_text(value) -> str:
    """Text for a Paragraph: every <, > and & is a character, never markup."""
    return escape(str(value if value is not None else ""))


def guard_reportlab() -> None:
    """Wraps ReportLab's one door to files and URLs (idempotent)."""
    opener = rl_utils.open_for_read
    if getattr(opener, "guarded", False):
        return
    opener(BytesIO())  # ReportLab builds its real opener on the first call and puts it in its module
    inner = rl_utils.open_for_read

    def open_for_read(name, mode="b"):
        if hasattr(name, "read"):
            return name
        path = Path(str(name))
        if "://" in str(name) or str(name).lower().startswith("data:") or not path.is_absolute() or not any(
                path.resolve().is_relative_to(root) for root in FONT_ROOTS):
            raise UntrustedResource(f"ReportLab may not read {str(name)[:80]!r}: only what our code hands it")
        return inner(name, mode)

    open_for_read.guarded = True
    rl_utils.open_for_read = open_for_read
    pdfdoc.open_for_read = open_for_read
