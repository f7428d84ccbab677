"""View maths: zoom, pan, pixel <-> hyperparameter, and the float64 limit."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from viz.numeric.fixed import FRAC_BITS, exp10, to_fixed
from viz.sampling.view import (
    MAX_PIXEL,
    View,
    at_limit,
    depth,
    hyper_at,
    log_at,
    min_pixel,
    pan,
    pixel_hypers,
    pixel_of,
    resize,
    zoom,
    zoom_at,
)

views = st.builds(
    View,
    cx=st.integers(-10 << FRAC_BITS, 10 << FRAC_BITS),
    cy=st.integers(-10 << FRAC_BITS, 10 << FRAC_BITS),
    pixel=st.floats(1e-13, 1e-2),
    cols=st.integers(1, 2000),
    rows=st.integers(1, 2000),
)


def exact_point(view: View, px: float, py: float) -> tuple[Fraction, Fraction]:
    """The log10 point under a pixel position, in exact rationals."""
    return (Fraction(view.cx, 1 << FRAC_BITS) + Fraction(px - view.cols / 2) * Fraction(view.pixel),
            Fraction(view.cy, 1 << FRAC_BITS) + Fraction(py - view.rows / 2) * Fraction(view.pixel))


def close(a, b, pixel: float) -> bool:
    """Equal up to the fixed-point step (2**-64 decades) and a billionth of a pixel."""
    return abs(a - b) <= Fraction(1, 1 << FRAC_BITS) + Fraction(1e-9) * Fraction(pixel)


def test_fit_shows_the_box_with_square_pixels_centred():
    view = View.fit(-3.0, 6.0, -3.0, 6.0, 1280, 720)
    assert view.centre == (1.5, 1.5)
    assert view.pixel == 9.0 / 720
    (x0, x1), (y0, y1) = log_at(view, [0, 1280], [0, 720])
    assert x0 <= -3.0 and x1 >= 6.0 and (y0, y1) == (-3.0, 6.0)
    assert depth(view) == 0.0


def test_pixel_centres_sit_half_a_pixel_inside_the_window():
    view = View.fit(0.0, 4.0, 0.0, 4.0, 4, 4)  # one decade per pixel
    xs, ys = pixel_hypers(view)
    np.testing.assert_allclose(xs, 10.0 ** np.array([0.5, 1.5, 2.5, 3.5]), rtol=1e-15)
    np.testing.assert_allclose(ys, xs, rtol=0)


@settings(max_examples=200, deadline=None)
@given(views, st.floats(0, 1), st.floats(0, 1), st.floats(1.001, 1000.0))
def test_zoom_at_keeps_the_point_under_the_cursor(view, fx, fy, factor):
    px, py = fx * view.cols, fy * view.rows
    zoomed, clamped = zoom_at(view, px, py, factor)
    before, after = exact_point(view, px, py), exact_point(zoomed, px, py)
    assert not clamped or zoomed.pixel > view.pixel / factor
    assert close(before[0], after[0], zoomed.pixel) and close(before[1], after[1], zoomed.pixel)


@settings(max_examples=200, deadline=None)
@given(views, st.floats(0, 1), st.floats(0, 1), st.floats(1.001, 1000.0))
def test_zoom_in_then_out_returns_the_view(view, fx, fy, factor):
    px, py = fx * view.cols, fy * view.rows
    zoomed, clamped = zoom_at(view, px, py, factor)
    assume(not clamped)
    back, _ = zoom_at(zoomed, px, py, 1.0 / factor)
    assert back.pixel == pytest.approx(view.pixel, rel=1e-12)
    assert close(Fraction(back.cx, 1 << FRAC_BITS), Fraction(view.cx, 1 << FRAC_BITS), view.pixel)
    assert close(Fraction(back.cy, 1 << FRAC_BITS), Fraction(view.cy, 1 << FRAC_BITS), view.pixel)


def test_zoom_by_two_and_back_is_exact():
    view = View.fit(-3.0, 6.0, -3.0, 6.0, 1280, 720)
    zoomed, _ = zoom_at(view, 1000.3, 17.25, 2.0)
    assert zoom_at(zoomed, 1000.3, 17.25, 0.5) == (view, False)


@settings(max_examples=200, deadline=None)
@given(views, st.floats(-5000, 5000), st.floats(-5000, 5000))
def test_pan_is_exactly_invertible_and_moves_the_content(view, dx, dy):
    moved = pan(view, dx, dy)
    assert pan(moved, -dx, -dy) == view
    x, y = exact_point(moved, 3.5, 2.5)
    x0, y0 = exact_point(view, 3.5 + dx, 2.5 + dy)
    assert close(x, x0, view.pixel) and close(y, y0, view.pixel)


@settings(max_examples=100, deadline=None)
@given(views, st.floats(0, 1), st.floats(0, 1))
def test_pixel_of_inverts_log_at(view, fx, fy):
    px, py = fx * view.cols, fy * view.rows
    x, y = log_at(view, px, py)
    qx, qy = pixel_of(view, float(x), float(y))
    # log_at rounds to a float log: at depth that is worth up to ulp(log) / pixel pixels
    tolerance = 1e-6 + 2 * np.spacing(max(abs(x), abs(y), 1.0)) / view.pixel
    assert abs(qx - px) < tolerance and abs(qy - py) < tolerance


def test_exp10_is_correctly_rounded_at_exact_powers_and_deterministic():
    assert [exp10(to_fixed(k)) for k in (-3, 0, 2, 6)] == [1e-3, 1.0, 100.0, 1e6]
    fixed = to_fixed(np.log10(13.29976231))
    assert exp10(fixed) == exp10(fixed) == pytest.approx(13.29976231, rel=1e-15)


def test_hyper_at_matches_ten_to_the_log_in_a_wide_view():
    view = View.fit(-3.0, 6.0, -3.0, 6.0, 640, 360)
    px = np.arange(640) + 0.5
    xs, _ = hyper_at(view, px, 0.5)
    logs, _ = log_at(view, px, 0.5)
    np.testing.assert_allclose(xs, 10.0 ** logs, rtol=1e-14)


def test_a_view_a_million_million_times_deeper_keeps_neighbours_distinct():
    # 1e-12 decades across 1280 pixels, at the tanh Figure 1 window's eta0
    view = View(to_fixed(np.log10(13.29976231)), to_fixed(np.log10(200.3582269)), 1e-12 / 1280, 1280, 720)
    xs, ys = pixel_hypers(view)
    assert np.all(np.diff(xs) > 0) and np.all(np.diff(ys) > 0)
    assert not at_limit(view)


@pytest.mark.parametrize("eta", [13.29976231, 200.3582269, 1.0000001, 2.0 ** 7 * 0.9999999, 0.001])
def test_zooming_stops_at_the_float64_limit_with_neighbours_still_distinct(eta):
    view = View(to_fixed(np.log10(eta)), to_fixed(np.log10(eta)), 1e-3, 1280, 720)
    clamped = False
    for _ in range(20):
        view, clamped = zoom(view, 100.0)
    assert clamped and at_limit(view)
    assert view.pixel == pytest.approx(min_pixel(view), rel=1e-9)
    xs, ys = pixel_hypers(view)
    assert np.all(np.diff(xs) > 0) and np.all(np.diff(ys) > 0)
    # the limit is tight: two thirds of it merges neighbours
    xs, ys = pixel_hypers(View(view.cx, view.cy, view.pixel / 1.5, view.cols, view.rows))
    assert np.any(np.diff(xs) == 0)
    assert zoom(view, 2.0) == (view, True)


def test_zooming_out_stops_at_max_pixel():
    view = View.fit(-3.0, 6.0, -3.0, 6.0, 1280, 720)
    wide, clamped = zoom(view, 1e-3)
    assert clamped and wide.pixel == MAX_PIXEL and wide.cx == view.cx


def test_zoom_rejects_a_non_positive_factor():
    with pytest.raises(ValueError):
        zoom(View.fit(0.0, 1.0, 0.0, 1.0, 10, 10), 0.0)


def test_resize_keeps_centre_and_height():
    view = View.fit(-3.0, 6.0, -3.0, 6.0, 1280, 720)
    bigger = resize(view, 1920, 1080)
    assert (bigger.cx, bigger.cy) == (view.cx, view.cy)
    assert bigger.spans[1] == pytest.approx(view.spans[1])
    assert bigger.cols == 1920 and bigger.rows == 1080


def test_depth_counts_decades_of_magnification():
    view = View.fit(-3.0, 6.0, -3.0, 6.0, 1280, 720)
    assert depth(zoom(view, 1000.0)[0]) == pytest.approx(3.0)
