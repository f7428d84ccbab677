"""HUD text: enough digits to tell neighbouring pixels apart, depth, progress, the float64 warning, the keys."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viz.display.hud import Status, digits, hud_lines, status_lines, view_lines, warning_line
from viz.numeric.fixed import to_fixed
from viz.sampling.view import View, hyper_at, min_pixel, zoom

AXES = ("eta0 (input layer)", "eta1 (output layer)")


def status(**changes) -> Status:
    base = dict(condition="tanh full batch", axis_names=AXES, preset="quick (n=8, 100 steps)", backend="cpu",
                compiling=None, fraction=0.5, level=(2, 5), rate=7900.0, cursor=None)
    base.update(changes)
    return Status(**base)


@settings(max_examples=60, deadline=None)
@given(st.floats(-3.0, 6.0), st.floats(-3.0, 6.0), st.floats(1.0, 40.0))
def test_neighbouring_pixels_print_differently(x, y, margin):
    view = View(to_fixed(x), to_fixed(y), 1.0, 64, 36)
    view = View(view.cx, view.cy, min_pixel(view) * margin, 64, 36)
    sig = digits(view)
    xs, ys = hyper_at(view, [10.5, 11.5], [10.5, 11.5])
    assert format(xs[0], f".{sig}g") != format(xs[1], f".{sig}g")
    assert format(ys[0], f".{sig}g") != format(ys[1], f".{sig}g")


def test_wide_views_use_few_digits():
    assert digits(View.fit(-3, 6, -3, 6, 1280, 720)) <= 4


def test_view_lines_give_ranges_centre_cursor_and_depth():
    view = View.fit(-3, 6, -3, 6, 720, 720)
    lines = view_lines(view, AXES, cursor=(360.0, 360.0))
    assert lines[0].startswith("x eta0") and "0.001" in lines[0] and "1e+06" in lines[0]
    assert "centre: (31.6, 31.6)" in lines[2]
    assert lines[3] == "cursor: (31.6, 31.6)"
    assert "depth: 0.00 decades" in lines[4]


@pytest.mark.parametrize("changes, text", [
    (dict(backend=None), "starting the engine"),
    (dict(compiling=16, building=True), "building the kernel for n=16: its first use"),
    (dict(compiling=16), "loading the kernel for n=16 from the cache"),
    (dict(fraction=1.0), "complete"),
    (dict(), "refining 50%  (level 2/5)   7,900 px/s"),
    (dict(recording=True), "REC"),
    (dict(message="saved x.png"), "saved x.png"),
])
def test_status_lines(changes, text):
    assert any(text in line for line in status_lines(status(**changes)))


def test_float64_warning_only_at_the_limit():
    deep, clamped = zoom(View(to_fixed(2.0), to_fixed(1.0), 0.01, 64, 36), 1e30)
    assert clamped and warning_line(deep) and "float64" in hud_lines(deep, status())[-1]
    assert warning_line(zoom(deep, 0.25)[0]) is None


def test_cursor_outside_the_window_is_not_shown():
    view = View.fit(-3, 6, -3, 6, 64, 64)
    assert not any(line.startswith("cursor") for line in hud_lines(view, status(cursor=(-5.0, 3.0))))


def test_recording_says_when_frames_are_dropped():
    assert "REC" in status_lines(status(recording=True))
    assert "REC (12 frames dropped: the encoder is behind)" in status_lines(status(recording=True, dropped=12))


@pytest.mark.parametrize("changes", [dict(backend=None), dict(compiling=8, building=True), dict(compiling=8)])
def test_the_rate_reads_in_px_per_s_while_the_kernel_is_prepared(changes):
    lines = status_lines(status(rate=0.0, **changes))
    assert any(line.endswith("0 px/s") for line in lines), lines
    assert all(len(line) <= 80 for line in lines), lines  # the HUD is narrower than a small window
    assert "" not in lines


def test_no_empty_row_without_a_message():
    assert "" not in hud_lines(View.fit(-3, 6, -3, 6, 64, 36), status(message=""))


def test_a_momentum_axis_prints_mu_itself_not_its_coordinate():
    view = View.fit(-1.0, 1.0, -4.0, -2.0, 32, 32)  # y: log10(1 - mu) from -4 to -2
    lines = view_lines(view, ("lr0", "momentum"), one_minus=(False, True))
    y_line = next(line for line in lines if line.startswith("y momentum"))
    low, high = (float(v) for v in y_line.split(": ")[1].split(" .. "))
    assert low == pytest.approx(0.9999) and high == pytest.approx(0.99)
    x_line = next(line for line in lines if line.startswith("x lr0"))
    assert float(x_line.split(": ")[1].split(" .. ")[0]) == pytest.approx(0.1)
