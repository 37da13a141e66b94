"""ReportLab as we use it: text from people and the CMS never becomes markup, the engine reads no file or URL
that our code did not hand it, and every PDF carries its fonts and says what it is.

Fonts: ReportLab's built-in Helvetica is not embedded, so a reader substitutes its own and an archive (PDF/A)
refuses the file. Our documents use DejaVu Sans (Debian's fonts-dejavu-core: every accent a Dutch, Polish or
Turkish name carries, and the €), or else the Bitstream Vera that ReportLab ships (Latin-1 and the €), embedded
as subsets. `document_info` sets title, author (the provider), creator and language. Not PDF/A-2b: open-source
ReportLab writes no XMP metadata or output intent; with the fonts embedded, those two are what it still lacks.

ReportLab's `Paragraph` parses a mini-HTML: `<img src="http://…">` in a name makes the server fetch that URL,
`<img src="/etc/…">` opens a local file, and a stray `<b>` raises. Every text that goes into a Paragraph passes
through `markup_text` (escaped, so it prints as typed). `drawString` parses nothing and takes plain text.
Behind that, `guard_reportlab` (at start-up) lets ReportLab open only file objects our code made and files
under its own and our font folders: its trusted-hosts setting guards URLs, not local paths."""

import logging
import threading
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import utils as rl_utils
from reportlab.lib.styles import StyleSheet1, getSampleStyleSheet
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_ROOTS = [Path(reportlab.__file__).resolve().parent, Path("/usr/share/fonts")]
SANS, SANS_BOLD = "Sans", "Sans-Bold"
_DEJAVU, _VERA = Path("/usr/share/fonts/truetype/dejavu"), Path(reportlab.__file__).resolve().parent / "fonts"
FONT_FILES = {SANS: (_DEJAVU / "DejaVuSans.ttf", _VERA / "Vera.ttf"),
              SANS_BOLD: (_DEJAVU / "DejaVuSans-Bold.ttf", _VERA / "VeraBd.ttf")}
CREATOR = "Spoor 2 Academy"
log = logging.getLogger(__name__)


_registering = threading.Lock()


def embedded_fonts() -> None:
    """Registers SANS and SANS_BOLD (once per process, SANS_BOLD last, so a thread that sees it sees all):
    TrueType fonts, which ReportLab embeds as subsets."""
    if SANS_BOLD in pdfmetrics.getRegisteredFontNames():
        return
    with _registering:
        if SANS_BOLD in pdfmetrics.getRegisteredFontNames():
            return
        pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD, italic=SANS, boldItalic=SANS_BOLD)
        for name, candidates in FONT_FILES.items():  # SANS_BOLD last
            path = next(path for path in candidates if path.exists())
            if path.parent != _DEJAVU:
                log.warning("PDFs use %s: install fonts-dejavu-core for letters such as ł and ş in names", path.name)
            pdfmetrics.registerFont(TTFont(name, str(path)))


def new_canvas(buffer, *, pagesize, language: str = "nl") -> canvas.Canvas:
    """A compressed page canvas in our embedded fonts (its initial font too: Helvetica would be listed, unembedded,
    even when nothing is written in it)."""
    embedded_fonts()
    return canvas.Canvas(buffer, pagesize=pagesize, pageCompression=1, lang=language, initialFontName=SANS)


def document_info(page, *, title: str, author: str, subject: str = "") -> None:
    """What a PDF says it is (shown by readers and kept by archives); the language is the Canvas's `lang`."""
    page.setTitle(title)
    page.setAuthor(author)
    page.setSubject(subject)
    page.setCreator(CREATOR)


def sans_styles() -> StyleSheet1:
    """ReportLab's sample styles in our embedded fonts."""
    embedded_fonts()
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        if hasattr(style, "fontName"):
            style.fontName = SANS_BOLD if "Bold" in style.fontName else SANS
    return styles


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
