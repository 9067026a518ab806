"""The SVG bar charts: well-formed, named and described for screen readers, scaled to round numbers, every text
escaped."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.analytics.charts import HEIGHT, MAX_LABELS, bar_chart, nice_scale

SVG = "{http://www.w3.org/2000/svg}"


def render(**overrides) -> ET.Element:
    arguments = {
        "chart_id": "chart-views",
        "title": "Views per day",
        "description": "Views from Mar 1 to Mar 4: 10 in all.",
        "labels": ["Mar 1", "Mar 2", "Mar 3", "Mar 4"],
        "values": [1, 4, 0, 5],
    } | overrides
    return ET.fromstring(str(bar_chart(**arguments)))


def bars(svg: ET.Element) -> list[ET.Element]:
    return svg.findall(f"{SVG}g[@class='bars']/{SVG}rect")


def test_the_chart_is_an_image_named_by_its_title_and_described_by_its_desc():
    svg = render()
    assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-views-title chart-views-desc"
    assert svg.find(f"{SVG}title").text == "Views per day" and svg.find(f"{SVG}title").get("id") == "chart-views-title"
    assert svg.find(f"{SVG}desc").text.startswith("Views from Mar 1") and svg.find(f"{SVG}desc").get("id")
    assert svg.get("height") == str(HEIGHT) and svg.get("width") == "100%"


def test_bars_are_as_tall_as_their_value_on_a_round_scale_and_tell_their_value():
    svg = render()
    heights = [float(rect.get("height")) for rect in bars(svg)]
    scale = nice_scale(5)
    assert heights[3] / heights[1] == pytest.approx(5 / 4)
    assert heights[2] == 0
    assert max(heights) == pytest.approx((HEIGHT - 16 - 28) * 5 / scale.maximum)
    assert [rect.find(f"{SVG}title").text for rect in bars(svg)] == ["Mar 1: 1", "Mar 2: 4", "Mar 3: 0", "Mar 4: 5"]
    ticks = [text.text for text in svg.iter(f"{SVG}text") if text.get("class") == "tick"]
    assert ticks[0] == "0" and ticks[-1] == f"{scale.maximum:g}"


def test_bars_share_the_width_in_percent_so_the_text_keeps_its_size_on_a_phone():
    svg = render()
    xs = [float(rect.get("x").rstrip("%")) for rect in bars(svg)]
    widths = {rect.get("width") for rect in bars(svg)}
    assert len(widths) == 1 and widths.pop() == "17.5%"  # 70% of a quarter: the rest is the gaps
    assert xs == [3.75, 28.75, 53.75, 78.75]
    assert "viewBox" not in svg.attrib


@pytest.mark.parametrize(
    ("highest", "whole", "ticks"),
    [
        (5, False, [0, 1, 2, 3, 4, 5]),
        (7, False, [0, 2, 4, 6, 8]),
        (97, False, [0, 20, 40, 60, 80, 100]),
        (0.3, False, [0, 0.1, 0.2, 0.3]),
        (1234, False, [0, 250, 500, 750, 1000, 1250]),
        (2.4, False, [0, 0.5, 1, 1.5, 2, 2.5]),
        (0, False, [0, 1]),
        (1, True, [0, 1]),  # one view: no gridline at 0.2 views
        (12, True, [0, 5, 10, 15]),
    ],
)
def test_scales_end_on_a_round_number_just_above_the_highest_value(highest, whole, ticks):
    scale = nice_scale(highest, whole=whole)
    assert list(scale.ticks) == pytest.approx(ticks)
    assert scale.maximum == pytest.approx(ticks[-1])


@given(st.floats(min_value=1e-6, max_value=1e9, allow_nan=False), st.booleans())
def test_a_scale_always_covers_its_value_in_a_few_equal_steps(highest, whole):
    scale = nice_scale(highest, whole=whole)
    steps = [b - a for a, b in zip(scale.ticks, scale.ticks[1:], strict=False)]
    assert scale.ticks[0] == 0 and scale.maximum >= highest * (1 - 1e-9)
    assert 1 <= len(steps) <= 5 and max(steps) == pytest.approx(min(steps))
    assert scale.maximum <= max(highest * 2.5, 1 if whole else 0)  # never much more room than needed
    if whole:
        assert all(tick == int(tick) for tick in scale.ticks)


def test_a_fixed_maximum_keeps_percentages_on_a_scale_to_100_and_none_draws_no_bar():
    svg = render(values=[50, None, 100, Decimal("12.5")], maximum=100, format_value=lambda value: f"{value}%")
    assert len(bars(svg)) == 3
    heights = [float(rect.get("height")) for rect in bars(svg)]
    assert heights[1] == pytest.approx(HEIGHT - 16 - 28)  # 100% reaches the top
    assert heights[0] == pytest.approx(heights[1] / 2)


def test_at_most_a_few_labels_are_written_under_the_axis_the_rest_are_in_tooltips():
    labels = [f"Day {n}" for n in range(30)]
    svg = render(labels=labels, values=list(range(30)), tooltip_labels=[f"The {n}th" for n in range(30)])
    written = [text for text in svg.iter(f"{SVG}text") if text.get("class") != "tick"]
    assert 1 < len(written) <= MAX_LABELS and written[0].text == "Day 0"
    # Every second one may be hidden on a narrow screen, leaving them evenly spread.
    assert [text.get("class") for text in written[:3]] == ["label", "label minor", "label"]
    assert bars(svg)[-1].find(f"{SVG}title").text == "The 29th: 29"


def test_every_text_is_escaped():
    svg = render(title="<script>alert(1)</script>", description="A & B", labels=["<b>", "x", "y", "z"])
    assert svg.find(f"{SVG}title").text == "<script>alert(1)</script>"  # parsed back from &lt;script&gt;
    assert "<script>" not in str(bar_chart(chart_id="c", title="<script>", description="", labels=[], values=[]))


def test_an_empty_series_still_draws_a_valid_chart():
    svg = render(labels=[], values=[])
    assert bars(svg) == [] and svg.find(f"{SVG}title") is not None


def test_an_id_that_could_break_out_of_its_attribute_or_mismatched_labels_are_refused():
    with pytest.raises(ValueError):
        bar_chart(chart_id='x" onload="alert(1)', title="t", description="d", labels=[], values=[])
    with pytest.raises(ValueError):
        bar_chart(chart_id="x", title="t", description="d", labels=["a"], values=[1, 2])
