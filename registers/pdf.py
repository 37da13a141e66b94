"""The coach's PE overview as a PDF for their register portfolio: per register the courses, points and
certificates, the totals per year and over the register's period."""

from datetime import date
from io import BytesIO

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.formats import day, points
from core.models import ProviderSettings
from core.pdf import CREATOR, SANS, SANS_BOLD, markup_text, sans_styles

from .selectors import RegisterPoints


def pe_points_pdf(user, registers: list[RegisterPoints], *, today: date) -> bytes:
    buffer = BytesIO()
    with translation.override(user.language or "nl"):
        styles = sans_styles()
        provider = ProviderSettings.load()
        story = [
            Paragraph(_("PE points overview"), styles["Title"]),
            Paragraph(markup_text(_("%(name)s · as of %(day)s") % {"name": user.get_full_name() or user.email,
                                                                   "day": day(today)}), styles["Normal"]),
            Paragraph(markup_text(_("Issued by %(provider)s from the certificates it issued.")
                                  % {"provider": provider.name}), styles["Normal"]),
            Spacer(1, 6 * mm),
        ]
        if not registers:
            story.append(Paragraph(_("No PE points yet: they come with the certificate of a completed course."),
                                   styles["Normal"]))
        for entry in registers:
            heading = entry.register.label
            if entry.member_number:
                heading += " · " + _("member number %(number)s") % {"number": entry.member_number}
            story.append(Paragraph(markup_text(heading), styles["Heading2"]))
            total = _("%(points)s PE points from %(since)s (the last %(years)s years)") % {
                "points": points(entry.period_total), "since": day(entry.since), "years": entry.period_years}
            if entry.target:
                total += " · " + _("the register asks %(target)s") % {"target": entry.target}
            story.append(Paragraph(markup_text(total), styles["Normal"]))
            story.append(Spacer(1, 3 * mm))
            rows = [[_("Last day"), _("Course"), _("PE points"), _("Accreditation id"), _("Certificate")]]
            rows += [[day(e.certificate.last_day), Paragraph(markup_text(e.certificate.course_title), styles["Normal"]),
                      points(e.points), e.accreditation_id, e.certificate.number] for e in entry.earned]
            rows += [["", _("Total %(year)s") % {"year": year}, points(total), "", ""]
                     for year, total in entry.by_year]
            table = Table(rows, colWidths=[28 * mm, 62 * mm, 20 * mm, 38 * mm, 32 * mm], repeatRows=1)
            table.setStyle(TableStyle([
                ("FONTNAME", (0, 0), (-1, -1), SANS), ("FONTNAME", (0, 0), (-1, 0), SANS_BOLD),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEABOVE", (0, len(entry.earned) + 1), (-1, len(entry.earned) + 1), 0.5, colors.grey),
            ]))
            story += [table, Spacer(1, 6 * mm)]
        SimpleDocTemplate(buffer, pagesize=A4, title=_("PE points overview"), author=provider.name,
                          creator=CREATOR, lang=translation.get_language(), initialFontName=SANS, leftMargin=15 * mm,
                          rightMargin=15 * mm).build(story)
    return buffer.getvalue()
