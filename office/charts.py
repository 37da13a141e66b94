"""Charts the server draws: horizontal bars in SVG (long course names and dates read well, and a phone shows them
whole), in the academy's colours, each with its numbers as a table beside it for screen readers and copying.
Every label is text the CMS or people wrote, so it is escaped like any other output."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.formats import euro

COLOURS = ["#0b5563", "#b3541e", "#4a5560"]  # --brand, --accent, --muted of the site's stylesheet
WIDTH, LABEL_LINE, BAR, GAP = 520, 21, 17, 14


def value_text(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "euro":
        return euro(Decimal(value))
    if unit == "percent":
        return f"{value:.0f}%"
    if unit == "score":
        return f"{value:.1f}".replace(".", ",")
    return str(value)


@dataclass
class Chart:
    title: str
    unit: str  # count, euro, percent or score
    labels: list[str] = field(default_factory=list)
    series: list[tuple[str, list]] = field(default_factory=list)  # (name, one value per label)
    scale_max: float | None = None  # a fixed top (5 for scores, 100 for percents); else the largest value

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        return [(label, [value_text(values[index], self.unit) for _name, values in self.series])
                for index, label in enumerate(self.labels)]

    def svg(self) -> SafeString:
        """Each label on a line of its own above its bars, so a long course name is read whole on a phone too."""
        if not self.labels:
            return SafeString("")
        top = self.scale_max or max((float(v) for _n, values in self.series for v in values if v), default=1) or 1
        group = LABEL_LINE + BAR * len(self.series) + GAP
        height = group * len(self.labels) + 24
        room = WIDTH - 90
        parts = []
        for index, label in enumerate(self.labels):
            y = index * group
            shown = label if len(label) <= 62 else label[:60] + "…"  # the table has it whole
            parts.append(format_html('<text x="0" y="{}" class="office-chart__label">{}</text>', y + 15, shown))
            for number, (_name, values) in enumerate(self.series):
                value = values[index]
                length = max(0.0, float(value or 0)) / top * room
                bar_y = y + LABEL_LINE + number * BAR
                parts.append(format_html(
                    '<rect x="0" y="{}" width="{}" height="{}" fill="{}" rx="2"></rect>'
                    '<text x="{}" y="{}" class="office-chart__value">{}</text>',
                    bar_y, f"{length:.1f}", BAR - 3, COLOURS[number % len(COLOURS)],
                    f"{length + 4:.1f}", bar_y + BAR - 4, value_text(value, self.unit)))
        legend = format_html_join("", '<tspan fill="{}">■</tspan> {}  ', (
            (COLOURS[number % len(COLOURS)], name) for number, (name, _values) in enumerate(self.series)))
        return format_html(
            '<svg viewBox="0 0 {} {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg" '
            'font-family="system-ui, sans-serif" font-size="15">{}<text x="0" y="{}" class="office-chart__legend">'
            '{}</text></svg>', WIDTH, height, self.title, SafeString("".join(parts)), height - 6, legend)
