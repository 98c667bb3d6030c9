"""The server-drawn SVG charts: what a reader of the training page sees in them. The markup
is parsed as XML (so it is well-formed), and geometry is read back from it."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hipcoach.diary import PainWeek
from hipcoach.exports import charts
from hipcoach.exports.svg_chart import NARROW, WIDE, Figure, Series, legend, render, responsive
from hipcoach.training.load import WeekSummary

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    text = str(markup).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1)
    return ET.fromstring(text)  # noqa: S314 - our own output, not input


def _box(root: ET.Element) -> tuple[float, float]:
    _, _, w, h = (float(v) for v in root.attrib["viewBox"].split())
    return w, h


def _figure(**kw: object) -> Figure:
    base: dict[str, object] = {
        "labels": ("01 Jun", "08 Jun", "15 Jun"),
        "tips": ("a", "b", "c"),
        "series": (
            Series("Running", "#1f5fa8", (10.0, 20.0, None)),
            Series("Other", "#7a8aa0", (5.0, None, 8.0)),
        ),
        "y_title": "km",
        "summary": "Three weeks",
    }
    base.update(kw)
    return Figure(**base)  # type: ignore[arg-type]


def test_bars_stack_from_zero_and_a_missing_value_draws_nothing():
    root = _parse(render(_figure()))
    groups = root.findall(f"{SVG}g[@class='bars']")
    running, other = ([r for r in g.iter(f"{SVG}rect")] for g in groups)
    assert len(running) == 2 and len(other) == 2  # None draws no bar
    # In week one the other sport sits on top of the run: its bottom is the run's top.
    run_top = float(running[0].attrib["y"])
    other_bottom = float(other[0].attrib["y"]) + float(other[0].attrib["height"])
    assert abs(run_top - other_bottom) < 0.11
    # Heights are proportional to the values: 20 km is twice 10 km.
    h10, h20 = (float(r.attrib["height"]) for r in running)
    assert abs(h20 - 2 * h10) < 0.3


def test_every_position_has_a_hover_target_with_its_numbers_and_text_is_escaped():
    hostile = '<script>alert("x")</script> & "quotes"'
    root = _parse(render(_figure(tips=("a", hostile, "c"), summary=hostile, y_title=hostile)))
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert titles == ["a", hostile, "c"]  # parsed back as text, never as markup
    assert root.attrib["aria-label"] == hostile
    assert not list(root.iter(f"{SVG}script"))


def test_a_line_breaks_where_a_value_is_missing_and_marks_points_when_asked():
    pain = Series("Pain", "#b00020", (3.0, 4.0, None, 6.0, 5.0), kind="line", right=True,
                  points=True)  # fmt: skip
    fig = _figure(labels=tuple("abcde"), tips=tuple("abcde"), series=(pain,),
                  right_title="Pain", right_max=10.0)  # fmt: skip
    root = _parse(render(fig))
    path = root.find(f"{SVG}path[@class='line']")
    assert path is not None
    assert path.attrib["d"].count("M") == 2  # two stretches, not one joined across the gap
    assert len(list(root.iter(f"{SVG}circle"))) == 4
    # On the right axis, 0..10: the 6 is drawn higher (smaller y) than the 3.
    ys = [float(c.attrib["cy"]) for c in root.iter(f"{SVG}circle")]
    assert ys[2] < ys[0]
    right_ticks = [t.text for t in root.iter(f"{SVG}text") if t.attrib["class"] == "y2-tick"]
    assert right_ticks == ["0", "2", "4", "6", "8", "10"]
    titles = [t for t in root.iter(f"{SVG}text") if t.attrib["class"] == "axis-title"]
    assert [t.attrib.get("fill") for t in titles if t.text == "Pain"] == ["#b00020"]


def test_negative_values_get_an_axis_below_zero():
    form = Series("Form", "#5b6472", (-12.0, 5.0, -30.0), kind="line")
    root = _parse(render(_figure(series=(form,))))
    ticks = [float(t.text or "") for t in root.iter(f"{SVG}text") if t.attrib["class"] == "y-tick"]
    assert min(ticks) <= -30 and max(ticks) >= 5 and 0 in ticks


def test_the_legend_names_only_what_is_drawn():
    drawn = Series("week", "#1", (1.0, 2.0, 3.0))
    absent = Series("lighter week", "#2", (None, None, None))
    zero_line = Series("Form", "#3", (0.0, 0.0, 0.0), kind="line")
    assert legend(_figure(series=(drawn, absent, zero_line))) == [drawn, zero_line]


@given(n=st.integers(1, 400), year=st.booleans())
def test_x_labels_never_overlap_and_the_latest_position_is_always_labelled(n: int, year: bool):
    first = date(2025, 1, 6)
    fmt = "%d %b %Y" if year else "%d %b"
    labels = tuple((first + timedelta(days=7 * i)).strftime(fmt) for i in range(n))
    fig = _figure(labels=labels, tips=labels, series=(Series("x", "#1", (1.0,) * n),))
    for width, font, big in ((NARROW, 12.0, 21.0), (WIDE, 12.0, 15.0)):
        root = _parse(render(fig, width))
        shown = [t for t in root.iter(f"{SVG}text") if t.attrib["class"].startswith("x-tick")]
        assert shown[-1].text == labels[-1]
        major = [t for t in shown if "minor" not in t.attrib["class"]]
        for size, kept in ((font, shown), (big, major)):
            xs = [float(t.attrib["x"]) for t in kept]
            widest = max(len(t.text or "") for t in kept) * 0.6 * size
            assert all(b - a >= widest for a, b in itertools.pairwise(xs)), (width, size)
            assert all(x - widest / 2 - 1 >= 0 and x + widest / 2 + 1 <= width for x in xs)


def test_both_boxes_are_drawn_and_the_wide_one_is_wider():
    markup = str(responsive(_figure()))
    boxes = re.findall(r'<svg class="svg-chart (\w+)" viewBox="0 0 (\d+)', markup)
    assert boxes == [("narrow", "600"), ("wide", "1000")]


def _week(monday: date, km: float, *, lighter: bool = False, complete: bool = True) -> WeekSummary:
    return WeekSummary(
        monday=monday, complete=complete, runs=3, run_distance_m=km * 1000,
        run_moving_s=km * 330, run_elapsed_s=km * 340, other_distance_m=0.0,
        other_moving_s=0.0, other_elapsed_s=0.0, run_load=km * 6, total_load=km * 8,
        ramp=None, ramp_base_m=None, ramp_after_lighter=False, two_week_change=None,
        two_week_base_m=None, monotony=None, strain=None, intensity=None,
        intensity_coverage=0.0, cadence_spm=None, lighter=lighter if complete else None,
        weeks_since_lighter=None,
    )  # fmt: skip


def test_the_page_figures_carry_the_same_numbers_as_the_tables():
    mondays = [date(2026, 9, 7) + timedelta(days=7 * i) for i in range(4)]
    weeks = [_week(mondays[0], 30), _week(mondays[1], 34), _week(mondays[2], 20, lighter=True),
             _week(mondays[3], 12, complete=False)]  # fmt: skip
    volume = charts.weekly_volume(weeks, "mi")
    assert volume.figure is not None
    by_kind = {s.name: s.values for s in volume.figure.series}
    assert by_kind["lighter week"] == (None, None, round(20_000 / 1609.344, 2), None)
    assert by_kind["week in progress"][3] == round(12_000 / 1609.344, 2)
    assert volume.figure.tips[0] == f"Week of {volume.rows[0][0]}: 18.6 mi in 3 runs (week)"
    pain = [PainWeek(monday=mondays[1], count=2, max=5, mean=4.0)]
    load = charts.load_and_pain(weeks, pain, mondays)
    assert load.figure is not None
    worst = next(s for s in load.figure.series if s.right)
    assert worst.values == (None, 5.0, None, None)
    assert "worst pain 5/10" in load.figure.tips[1] and "no pain rated" in load.figure.tips[0]
