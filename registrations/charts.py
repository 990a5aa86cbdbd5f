"""Charts drawn on the server as SVG: no script, no style element or attribute (the strict CSP
allows neither), only presentation attributes, so a chart prints and works without JavaScript.

Each chart is an image with a name (`role="img"`, `aria-label`); its numbers are in the table
printed beside it, which is what screen readers read. All text is escaped by `format_html`.
"""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
LABEL_WIDTH = 190  # room for the bars' labels, left of the bars
BAR_HEIGHT = 18
ROW_HEIGHT = 26
FONT_SIZE = 12
LABEL_CHARACTERS = 28  # a longer label is cut with an ellipsis: the table has it whole
INK = "#1b1f24"
GRID = "#d3d9e1"


@dataclass(frozen=True)
class Series:
    """One kind of value a chart shows: its name in the legend, its colour (at least 3:1
    against white) and, for lines, a dash pattern, so that lines differ by more than colour."""

    label: str
    colour: str
    dash: str = ""
    outline: str = ""  # for a pale fill (free places), the edge that makes it visible


def _ticks(maximum: int) -> list[int]:
    """Round steps from 0 to at least `maximum`, about four of them."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / 4
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    top = math.ceil(maximum / step) * step
    return list(range(0, top + 1, step))


def _n(number: float) -> str:
    """A coordinate, to a tenth of a pixel."""
    return f"{number:.1f}".removesuffix(".0")


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def _svg(*, name: str, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="{}" '
        'height="{}" xmlns="http://www.w3.org/2000/svg" font-size="{}" fill="{}">{}</svg>',
        name,
        WIDTH,
        height,
        WIDTH,
        height,
        FONT_SIZE,
        INK,
        body,
    )


def bar_chart(
    *, name: str, rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[Series]
) -> SafeString:
    """Horizontal bars, one per row, each stacked from its values in the order of `series`,
    with the row's total at its end."""
    totals = [sum(values) for _label, values in rows]
    ticks = _ticks(max(totals, default=0))
    bar_width = WIDTH - LABEL_WIDTH - 50
    scale = bar_width / ticks[-1]
    top = 8
    height = top + ROW_HEIGHT * len(rows) + 24
    parts = []
    for tick in ticks:
        x = LABEL_WIDTH + tick * scale
        parts.append(
            format_html(
                '<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{grid}"/>'
                '<text x="{x}" y="{label_y}" text-anchor="middle">{tick}</text>',
                x=_n(x),
                top=top,
                bottom=height - 20,
                grid=GRID,
                label_y=height - 6,
                tick=tick,
            )
        )
    for index, ((label, values), total) in enumerate(zip(rows, totals, strict=True)):
        y = top + index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end">{}</text>',
                LABEL_WIDTH - 8,
                _n(y + BAR_HEIGHT / 2 + FONT_SIZE / 3),
                _short(label),
            )
        )
        x = LABEL_WIDTH
        for value, kind in zip(values, series, strict=True):
            if value <= 0:
                continue
            width = value * scale
            outline = format_html(' stroke="{}"', kind.outline) if kind.outline else ""
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"{}/>',
                    _n(x),
                    _n(y),
                    _n(width),
                    BAR_HEIGHT,
                    kind.colour,
                    outline,
                )
            )
            x += width
        parts.append(
            format_html(
                '<text x="{}" y="{}">{}</text>',
                _n(x + 6),
                _n(y + BAR_HEIGHT / 2 + FONT_SIZE / 3),
                total,
            )
        )
    return _svg(name=name, height=height, body=format_html_join("", "{}", ((p,) for p in parts)))


def line_chart(
    *,
    name: str,
    days: Sequence[datetime.date],
    lines: Sequence[tuple[Series, Sequence[int]]],
    day_label,
) -> SafeString:
    """Running totals over days, one line per series, as steps: a value holds until the
    next day that has one. `day_label` writes a day on the horizontal axis."""
    left, right, top, bottom = 44, 16, 12, 44
    height = 260
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    ticks = _ticks(max((max(values, default=0) for _s, values in lines), default=0))
    first, last = (days[0], days[-1]) if days else (None, None)
    span = (last - first).days if days else 0

    def x_of(day: datetime.date) -> float:
        if span == 0:
            return left + plot_width / 2
        return left + (day - first).days / span * plot_width

    def y_of(value: int) -> float:
        return top + plot_height - value / ticks[-1] * plot_height

    parts = []
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            format_html(
                '<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{}"/>'
                '<text x="{}" y="{}" text-anchor="end">{}</text>',
                left,
                WIDTH - right,
                GRID,
                left - 6,
                _n(y + FONT_SIZE / 3),
                tick,
                y=_n(y),
            )
        )
    for day, anchor in {first: "start", last: "end"}.items() if days else ():
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="{}">{}</text>',
                _n(x_of(day)),
                height - bottom + 18,
                "middle" if span == 0 else anchor,
                day_label(day),
            )
        )
    for kind, values in lines:
        points = []
        previous = None
        for day, value in zip(days, values, strict=True):
            x, y = x_of(day), y_of(value)
            if previous is not None:
                points.append(f"{_n(x)},{_n(previous)}")
            points.append(f"{_n(x)},{_n(y)}")
            previous = y
        if len(points) == 1:  # one day: a short level line, which a lone point would not show
            x, y = x_of(days[0]), y_of(values[0])
            points = [f"{_n(x - 8)},{_n(y)}", f"{_n(x + 8)},{_n(y)}"]
        dash = format_html(' stroke-dasharray="{}"', kind.dash) if kind.dash else ""
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="3"{}/>',
                " ".join(points),
                kind.colour,
                dash,
            )
        )
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>',
            left,
            _n(top + plot_height),
            WIDTH - right,
            _n(top + plot_height),
            INK,
        )
    )
    return _svg(name=name, height=height, body=format_html_join("", "{}", ((p,) for p in parts)))


def swatch(series: Series, *, line: bool = False) -> SafeString:
    """The series' colour as a small image for the legend, as a line with its dash for a line
    chart, else as a bar; hidden from screen readers, which read the legend's words."""
    if line:
        mark = format_html(
            '<line x1="0" y1="7" x2="28" y2="7" stroke="{}" stroke-width="3" '
            'stroke-dasharray="{}"/>',
            series.colour,
            series.dash,
        )
    else:
        outline = format_html(' stroke="{}"', series.outline) if series.outline else ""
        mark = format_html(
            '<rect x="0.5" y="0.5" width="27" height="13" fill="{}"{}/>', series.colour, outline
        )
    return format_html(
        '<svg class="swatch" aria-hidden="true" focusable="false" viewBox="0 0 28 14" '
        'width="28" height="14" xmlns="http://www.w3.org/2000/svg">{}</svg>',
        mark,
    )
