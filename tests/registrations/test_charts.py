"""The dashboard's SVG charts: bars and lines where the numbers put them, text escaped, and
nothing the strict CSP would refuse."""

import datetime
import re

from registrations.charts import LABEL_WIDTH, Series, _ticks, bar_chart, line_chart, swatch

GREEN, BLUE = Series("Confirmed", "#2e6b30"), Series("Waiting", "#0a4d99", dash="3 3")


def _rects(svg: str) -> list[tuple[float, float]]:
    """(x, width) of each bar."""
    return [
        (float(x), float(width))
        for x, width in re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    ]


def test_the_scale_goes_in_round_steps_to_at_least_the_largest_value():
    assert _ticks(0) == [0, 1]
    assert _ticks(3) == [0, 1, 2, 3]
    assert _ticks(50) == [0, 20, 40, 60]
    assert _ticks(69) == [0, 20, 40, 60, 80]
    assert _ticks(1234) == [0, 500, 1000, 1500]


def test_stacked_bars_are_as_long_as_their_values_and_skip_zeros():
    svg = bar_chart(
        name="By country", rows=[("Austria", [3, 1]), ("Bulgaria", [0, 2])], series=[GREEN, BLUE]
    )
    # Scale 0–4 over 400 px: 100 px a registration; Bulgaria's 0 confirmed draws nothing.
    assert _rects(svg) == [(LABEL_WIDTH, 300), (LABEL_WIDTH + 300, 100), (LABEL_WIDTH, 200)]
    assert '<svg class="chart" role="img" aria-label="By country"' in svg


def test_labels_are_escaped_and_long_ones_cut():
    svg = bar_chart(
        name='Names <script>"',
        rows=[("<b>Ministry</b> of the Interior of the Republic", [1])],
        series=[GREEN],
    )
    assert 'aria-label="Names &lt;script&gt;&quot;"' in svg
    assert ">&lt;b&gt;Ministry&lt;/b&gt; of the Inte…</text>" in svg
    assert "<b>" not in svg and "<script>" not in svg


def test_lines_step_up_on_the_days_that_have_values():
    days = [datetime.date(2030, 3, 1), datetime.date(2030, 3, 3)]
    svg = line_chart(
        name="Over time", days=days, lines=[(GREEN, [1, 2]), (BLUE, [0, 2])], day_label=str
    )
    # 0–2 over 204 px of height, 580 px of width from x=44: level until the next day, then up.
    assert '<polyline points="44,114 624,114 624,12" fill="none" stroke="#2e6b30"' in svg
    assert 'stroke="#0a4d99" stroke-width="3" stroke-dasharray="3 3"' in svg
    assert ">2030-03-01</text>" in svg and ">2030-03-03</text>" in svg


def test_no_style_and_swatches_are_hidden_from_screen_readers():
    svgs = [
        bar_chart(name="n", rows=[("a", [1])], series=[GREEN]),
        line_chart(name="n", days=[datetime.date(2030, 3, 1)], lines=[(GREEN, [1])], day_label=str),
        swatch(GREEN),
        swatch(BLUE, line=True),
    ]
    for svg in svgs:
        assert not re.search(r"<style|\sstyle=|<script", svg)
    assert swatch(GREEN).startswith('<svg class="swatch" aria-hidden="true"')
