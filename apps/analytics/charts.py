"""Bar charts as inline SVG, drawn on the server: they need no script and no network, and print.

A chart is as wide as its container and a fixed number of pixels tall. Horizontal positions are percentages of
the width and vertical ones are pixels, so the bars stretch with the page while the text keeps its size on a phone
and on a laptop (a scaled `viewBox` would shrink the labels to nothing on a small screen).

For assistive technology the SVG is an image (`role="img"`) named by its `<title>` and described by its `<desc>`;
each bar carries its own `<title>` (a tooltip on hover). Pages show the numbers in a table as well.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

Number = int | float | Decimal

HEIGHT = 220  # px
TOP = 16  # room above the highest gridline for its label
BOTTOM = 28  # room under the baseline for the labels of the bars
MAX_LABELS = 8  # bar labels written under the axis; the others are in the bars' tooltips and the table
BAR_SHARE = 0.7  # of each bar's slot; the rest is the gap
CHART_ID = re.compile(r"[A-Za-z][A-Za-z0-9-]*")


@dataclass(frozen=True)
class Scale:
    """The value axis: from 0 to `maximum`, with gridlines at `ticks`."""

    maximum: float
    ticks: tuple[float, ...]


def nice_scale(highest: Number, *, steps: int = 5, whole: bool = False) -> Scale:
    """An axis from 0 that covers `highest` in at most `steps` equal round steps (1, 2, 2.5 or 5 times a power of
    ten), the smallest such step; `whole` keeps the steps whole numbers (for counts). An empty or all-zero series
    gets the axis 0-1."""
    highest = float(highest)
    if not math.isfinite(highest) or highest <= 0:
        return Scale(1.0, (0.0, 1.0))
    power = 10 ** math.floor(math.log10(highest / steps))  # so that 10 * power always covers it in `steps`
    if whole:
        power = max(power, 1)
    step = next(
        step
        for step in (power * factor for factor in (1, 2, 2.5, 5, 10))
        if (not whole or step == int(step)) and math.ceil(highest / step - 1e-9) <= steps
    )
    count = math.ceil(highest / step - 1e-9)
    ticks = tuple(round(step * n, 10) for n in range(count + 1))
    return Scale(ticks[-1], ticks)


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _plain(value: float) -> str:
    return f"{value:g}" if value < 1e6 else f"{value:,.0f}"


def _label_indexes(count: int) -> list[int]:
    """Which bars get a label under the axis: at most `MAX_LABELS`, evenly spread, the first one always."""
    if count <= MAX_LABELS:
        return list(range(count))
    every = math.ceil(count / MAX_LABELS)
    return list(range(0, count, every))


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[Number | None],
    format_value: Callable[[Number], str] = lambda value: _plain(float(value)),
    format_tick: Callable[[float], str] | None = None,
    maximum: Number | None = None,
    whole: bool = False,
    height: int = HEIGHT,
    tooltip_labels: Sequence[str] | None = None,
) -> SafeString:
    """An SVG bar chart of `values` (None: no bar, e.g. a day with nothing to measure) labelled by `labels`.

    `maximum` fixes the top of the axis (100 for percentages); by default it is a round number above the highest
    value (`whole`: in whole steps, for counts). `format_value` writes a value in the bars' tooltips, `format_tick`
    the axis labels (default: the same). `tooltip_labels` name the bars in their tooltips when the short `labels`
    under the axis say too little.
    """
    if not CHART_ID.fullmatch(chart_id):
        raise ValueError("a chart id is letters, digits and dashes, starting with a letter")
    tooltip_labels = tooltip_labels or labels
    if not len(labels) == len(values) == len(tooltip_labels):
        raise ValueError("one label per value")
    format_tick = format_tick or (lambda value: format_value(value))
    present = [float(value) for value in values if value is not None]
    scale = nice_scale(maximum if maximum is not None else max(present, default=0), whole=whole)
    plot = height - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + plot - plot * min(value, scale.maximum) / scale.maximum

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="100%" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        '<g class="grid" aria-hidden="true">',
    ]
    for tick in scale.ticks:
        level = _number(y(tick))
        parts.append(f'<line x1="0" x2="100%" y1="{level}" y2="{level}" stroke="#d5dbe1" stroke-width="1"/>')
    parts.append("</g>")

    count = len(values)
    slot = 100 / count if count else 100
    parts.append('<g class="bars">')
    for index, (label, value) in enumerate(zip(tooltip_labels, values, strict=True)):
        if value is None:
            continue
        top = y(float(value))
        bar_height = max(TOP + plot - top, 0)
        if float(value) > 0:
            bar_height = max(bar_height, 1)  # a tiny value still shows
        x = index * slot + slot * (1 - BAR_SHARE) / 2
        parts.append(
            f'<rect class="bar" x="{_number(x)}%" y="{_number(TOP + plot - bar_height)}" '
            f'width="{_number(slot * BAR_SHARE)}%" height="{_number(bar_height)}" fill="#0b5cad">'
            f"<title>{escape(f'{label}: {format_value(value)}')}</title></rect>"
        )
    parts.append("</g>")

    baseline = _number(TOP + plot)
    parts.append(
        f'<g class="axis" aria-hidden="true"><line x1="0" x2="100%" y1="{baseline}" y2="{baseline}" '
        'stroke="#4a5560" stroke-width="1"/>'
    )
    # The axis labels go over the bars, with a white halo, so that a tall first bar cannot hide them.
    for tick in scale.ticks:
        parts.append(
            f'<text x="2" y="{_number(y(tick) - 4)}" class="tick" font-size="11" fill="#4a5560" stroke="#fff" '
            f'stroke-width="3" paint-order="stroke">{escape(format_tick(tick))}</text>'
        )
    label_indexes = _label_indexes(count)
    for position, index in enumerate(label_indexes):
        center = index * slot + slot / 2
        # The first and last labels align inwards so they are not cut off at the edges.
        anchor = "middle"
        if position == 0 and center < 8:
            anchor, center = "start", index * slot
        elif position == len(label_indexes) - 1 and center > 92 and count > 1:
            anchor, center = "end", (index + 1) * slot
        # Every second label is "minor": a narrow screen's stylesheet may hide those so the others do not collide.
        kind = "label minor" if position % 2 else "label"
        parts.append(
            f'<text class="{kind}" x="{_number(center)}%" y="{_number(TOP + plot + 18)}" text-anchor="{anchor}" '
            f'font-size="11" fill="#4a5560">{escape(labels[index])}</text>'
        )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped)
