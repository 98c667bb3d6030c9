"""The numbers of an activity's page: splits that add up to the run, pace as a runner reads
it, stops left out of the pace, lines over the run, and a route that fits its box."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hipcoach.importers.sources import Item, read_item
from hipcoach.training.activity_detail import (
    heart_rate,
    pace,
    pace_text,
    route,
    series,
    splits,
    track,
)
from hipcoach.training.line_chart import PACE_STEPS, line_chart, nice_step
from hipcoach.training.model import Samples
from hipcoach.units import METRES_PER_MILE

DATA = Path(__file__).parents[1] / "data"
FENIX = DATA / "fit" / "activity-small-fenix2-run.fit"  # 9 km in Norway, HR, cadence, GPS


def even_run(metres: float, speed: float = 3.0, step: float = 1.0, **extra: object) -> Samples:
    """A run heading north at an even speed, a sample every ``step`` seconds."""
    t = np.append(np.arange(0.0, metres / speed, step), metres / speed)
    d = t * speed
    lat = 60.0 + d / 111_195.0
    fields: dict[str, object] = {"distance_m": d, "lat": lat, "lon": np.full(t.shape, 10.0)}
    fields.update(extra)
    return Samples(t=t, **fields)  # type: ignore[arg-type]


def real(path: Path) -> Samples:
    acts = read_item(Item(path.name, path.read_bytes()))
    assert acts[0].samples is not None
    return acts[0].samples


# --- pace and splits -------------------------------------------------------------------------


def test_pace_is_whole_seconds_as_a_runner_reads_it():
    assert pace_text(311.6, "km") == "5:12 /km"
    assert pace_text(359.6, "km") == "6:00 /km"  # never "5:60"
    assert pace_text(None, "km") == "—" and pace_text(float("nan"), "mi") == "—"
    assert pace_text(8 * 60 + 3, "mi") == "8:03 /mi"
    assert pace(1500.0, 5000.0, "km") == 300.0
    assert pace(1500.0, 0.0, "km") is None


def test_an_even_run_has_equal_splits_and_a_partial_last_one():
    tr = track(even_run(5500.0, speed=3.0))
    assert tr is not None
    got = splits(tr, "km")
    assert [round(s.distance_m) for s in got] == [1000] * 5 + [500]
    assert [pace_text(s.pace_s, "km") for s in got] == ["5:33 /km"] * 6
    assert [s.partial for s in got] == [False] * 5 + [True]


def test_splits_in_miles_follow_the_setting():
    tr = track(even_run(5000.0, speed=3.0))
    assert tr is not None
    got = splits(tr, "mi")
    assert len(got) == 4
    assert [round(s.distance_m, 1) for s in got[:3]] == [round(METRES_PER_MILE, 1)] * 3
    assert round(got[3].distance_m) == round(5000 - 3 * METRES_PER_MILE)
    assert pace_text(got[0].pace_s, "mi") == pace_text(METRES_PER_MILE / 3.0, "mi") == "8:56 /mi"


def test_a_stop_is_left_out_of_the_pace_but_not_the_elapsed_time():
    run = np.arange(0.0, 1001.0)  # 3 km at 3 m/s, a sample a second
    d = run * 3.0
    t = np.where(run > 500, run + 120.0, run)  # two minutes standing at 1.5 km
    t = np.concatenate([t[run <= 500], np.arange(501.0, 621.0), t[run > 500]])
    d = np.concatenate([d[run <= 500], np.full(120, 1500.0), d[run > 500]])
    tr = track(Samples(t=t, distance_m=d))
    assert tr is not None
    got = splits(tr, "km")
    assert [pace_text(s.pace_s, "km") for s in got] == ["5:33 /km"] * 3
    assert [round(s.elapsed_s - s.moving_s) for s in got] == [0, 120, 0]


def test_the_real_fenix_run_splits_add_up_to_the_whole_run():
    tr = track(real(FENIX))
    assert tr is not None
    got = splits(tr, "km")
    assert len(got) == 9  # 9.0 km: the 5 m after the ninth km are part of it, not a split
    assert math.isclose(sum(s.distance_m for s in got), tr.distance_m)
    assert math.isclose(sum(s.moving_s for s in got), float(tr.moving[-1]))
    assert all(s.avg_hr is not None and 60 < s.avg_hr < 200 for s in got)
    assert heart_rate(tr) is not None
    basis, lines = series(tr, "km")
    assert basis == "distance"
    assert [s.key for s in lines] == ["pace", "heart_rate", "cadence", "altitude"]
    assert all(math.isclose(s.x[-1], tr.distance_m / 1000, rel_tol=0.01) for s in lines)


# --- without GPS or distance -----------------------------------------------------------------


def test_a_treadmill_run_has_splits_but_no_route():
    s = even_run(3000.0)
    tr = track(Samples(t=s.t, distance_m=s.distance_m, heart_rate=np.full(s.t.shape, 140.0)))
    assert tr is not None
    assert route(tr, "km") is None
    assert len(splits(tr, "km")) == 3


def test_without_distance_the_lines_run_over_time_and_there_are_no_splits():
    t = np.arange(0.0, 600.0)
    tr = track(Samples(t=t, heart_rate=120.0 + t / 10))
    assert tr is not None
    assert splits(tr, "km") == []
    basis, lines = series(tr, "km")
    assert basis == "time" and [s.key for s in lines] == ["heart_rate"]
    assert math.isclose(lines[0].x[-1], 10.0, rel_tol=0.01)  # minutes


def test_a_track_with_gps_but_no_distance_gets_its_distance_from_the_positions():
    s = even_run(2000.0)
    tr = track(Samples(t=s.t, lat=s.lat, lon=s.lon))
    assert tr is not None
    assert abs(tr.distance_m - 2000.0) < 5.0
    assert len(splits(tr, "km")) == 2


def test_fewer_than_two_timed_samples_is_no_track():
    assert track(Samples(t=np.array([0.0]))) is None
    assert track(Samples(t=np.array([np.nan, np.nan, 3.0]))) is None


# --- the route ---------------------------------------------------------------------------------


def test_the_route_has_a_marker_per_km_and_starts_and_ends_where_the_run_does():
    tr = track(even_run(5500.0))
    assert tr is not None
    r = route(tr, "km", width=400, height=300)
    assert r is not None
    assert [m.label for m in r.markers] == ["1", "2", "3", "4", "5"]
    # heading north: the start is at the bottom, the finish at the top, x stays in the middle
    assert r.start[1] > r.finish[1]
    assert all(abs(x - 200) < 1 for x, _ in r.points)
    ys = [m.y for m in r.markers]
    assert ys == sorted(ys, reverse=True)


def test_a_run_across_the_antimeridian_is_drawn_whole():
    t = np.arange(0.0, 100.0)
    lon = 179.999 + t * 0.00002
    lon = np.where(lon > 180, lon - 360, lon)
    tr = track(Samples(t=t, lat=np.full(t.shape, -16.0) + t * 0.00001, lon=lon))
    assert tr is not None
    assert tr.distance_m < 400  # not half the Earth
    r = route(tr, "km")
    assert r is not None
    assert r.points[-1][0] > r.points[0][0]  # eastwards, not jumping back


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-0.001, 0.001), st.floats(-0.001, 0.001)), min_size=2, max_size=80
    ),
    st.floats(-80, 80),
    st.floats(-179, 179),
)
def test_every_point_of_any_route_is_inside_its_box(steps, lat0, lon0):
    lat = lat0 + np.cumsum([s[0] for s in steps])
    lon = lon0 + np.cumsum([s[1] for s in steps])
    tr = track(Samples(t=np.arange(float(len(steps))), lat=lat, lon=lon))
    assert tr is not None
    r = route(tr, "mi", width=400, height=300, pad=16)
    assert r is not None
    for x, y in [*r.points, r.start, r.finish, *((m.x, m.y) for m in r.markers)]:
        assert 15.9 <= x <= 384.1 and 15.9 <= y <= 284.1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.2, 30.0), st.floats(0.0, 8.0)), min_size=2, max_size=300),
    st.sampled_from(["km", "mi"]),
)
def test_splits_always_add_up_to_the_run(steps, units):
    """Any clock and any speeds, stops included: the splits cover the distance and the moving
    time exactly, every split but the last is one whole unit, and no pace is negative."""
    t = np.concatenate([[0.0], np.cumsum([s[0] for s in steps])])
    d = np.concatenate([[0.0], np.cumsum([s[0] * s[1] for s in steps])])
    tr = track(Samples(t=t, distance_m=d))
    if tr is None or tr.d is None:
        assert d[-1] == 0
        return
    got = splits(tr, units)
    unit = 1000.0 if units == "km" else METRES_PER_MILE
    assert math.isclose(sum(s.distance_m for s in got), tr.distance_m, rel_tol=1e-9)
    assert math.isclose(sum(s.moving_s for s in got), float(tr.moving[-1]), abs_tol=1e-6)
    assert all(math.isclose(s.distance_m, unit) for s in got[:-1])
    assert all(s.pace_s is None or s.pace_s >= 0 for s in got)
    assert all(s.elapsed_s >= s.moving_s - 1e-6 for s in got)


# --- line charts -------------------------------------------------------------------------------


def test_nice_steps_are_round():
    assert nice_step(10.0, 4) == 2.5
    assert nice_step(87.0, 3) == 50.0
    assert nice_step(100.0, 3, PACE_STEPS) == 60.0


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.floats(0.0, 2000.0)), min_size=2, max_size=200),
    st.booleans(),
    st.booleans(),
)
def test_every_point_of_a_line_chart_is_inside_its_plot(ys, invert, robust):
    xs = [i * 0.05 for i in range(len(ys))]
    chart = line_chart(xs, ys, x_label=str, y_label=str, invert=invert, robust=robust)
    if chart is None:
        assert sum(y is not None for y in ys) < 2
        return
    for p in chart.points:
        if p is not None:
            assert chart.left - 0.1 <= p[0] <= chart.right + 0.1
            assert chart.top - 0.1 <= p[1] <= chart.bottom + 0.1
    assert [p is None for p in chart.points] == [y is None for y in ys]
    ticks = [t.pos for t in chart.y_ticks]
    assert ticks == sorted(ticks, reverse=not invert)


def test_a_faster_pace_is_drawn_higher():
    chart = line_chart([0, 1], [300.0, 360.0], x_label=str, y_label=str, invert=True)
    assert chart is not None
    fast, slow = chart.points
    assert fast is not None and slow is not None and fast[1] < slow[1]
