"""Views past float64: the 128-bit fixed-point centre and the double-double hyperparameters of a view."""
from decimal import Context, Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viz.numeric.dd import from_dd
from viz.numeric.fixed import (
    FRAC_BITS,
    OLD_FRAC_BITS,
    decimal_to_fixed,
    exp10,
    exp10_dd,
    fixed_to_decimal,
    from_old_fixed,
    to_fixed,
)
from viz.sampling.lattice import MAX_LEVEL_DD, level_for, max_level, sample_values, sample_values_dd
from viz.sampling.view import View, at_limit, hyper_at, hyper_at_dd, min_pixel, pixel_hypers, pixel_hypers_dd, zoom

#: Relative agreement a double-double pair must reach (SPEC of issue 17: 2**-104).
DD_REL = Fraction(1, 2 ** 104)


def exact_power(log10: Fraction) -> Fraction:
    """10**log10 from 80-digit decimal arithmetic (an independent, finer reference)."""
    ctx = Context(prec=80)
    return Fraction(ctx.power(Decimal(10), ctx.divide(Decimal(log10.numerator), Decimal(log10.denominator))))


def rel_err(hi: float, lo: float, exact: Fraction) -> Fraction:
    return abs(from_dd(hi, lo) - exact) / exact


def test_the_centre_has_enough_bits_for_32_decades_below_a_whole_plane_view():
    whole = View.fit(-3.0, 6.0, -3.0, 6.0, 1280, 720)
    assert Fraction(1, 1 << FRAC_BITS) < Fraction(whole.pixel) * Fraction(1, 10 ** 32) / 1000


@settings(max_examples=60, deadline=None)
@given(st.integers(-(200 << FRAC_BITS), 200 << FRAC_BITS))
def test_exp10_dd_is_the_nearest_pair_to_ten_to_the_point(fixed):
    hi, lo = exp10_dd(fixed)
    assert rel_err(hi, lo, exact_power(Fraction(fixed, 1 << FRAC_BITS))) <= DD_REL
    assert abs(lo) <= np.spacing(hi) / 2


def test_exp10_dd_hi_is_float64s_value_and_exact_powers_have_no_lo():
    for k in (-3, 0, 2, 6):
        assert exp10_dd(to_fixed(k))[0] == exp10(to_fixed(k))
    assert [exp10_dd(to_fixed(k)) for k in (0, 2, 6)] == [(1.0, 0.0), (100.0, 0.0), (1e6, 0.0)]
    hi, lo = exp10_dd(to_fixed(-3))
    assert from_dd(hi, lo) - Fraction(1, 1000) < Fraction(1, 1000) * DD_REL / 4


@pytest.mark.parametrize("pixel", [1e-3, 1e-20, 3e-31])
def test_pixel_hypers_dd_agree_with_60_digit_decimal(pixel):
    view = View(to_fixed(1.1238) + 12345, -to_fixed(2.3017) - 999, pixel, 37, 23)
    x_hi, x_lo, y_hi, y_lo = pixel_hypers_dd(view)
    for col in range(view.cols):
        log10 = Fraction(view.cx, 1 << FRAC_BITS) + (Fraction(col) + Fraction(1, 2) - Fraction(37, 2)) * Fraction(pixel)
        assert rel_err(x_hi[col], x_lo[col], exact_power(log10)) <= DD_REL
    for row in range(view.rows):
        log10 = Fraction(view.cy, 1 << FRAC_BITS) + (Fraction(row) + Fraction(1, 2) - Fraction(23, 2)) * Fraction(pixel)
        assert rel_err(y_hi[row], y_lo[row], exact_power(log10)) <= DD_REL


def test_hyper_at_dd_takes_any_positions_and_shapes():
    view = View(to_fixed(0.5), to_fixed(-0.25), 1e-2, 100, 50)
    px = np.array([[0.5, 10.0], [0.5, 99.5]])
    x_hi, x_lo, y_hi, y_lo = hyper_at_dd(view, px, np.array([25.0]))
    assert x_hi.shape == x_lo.shape == (2, 2) and y_hi.shape == (1,)
    assert x_hi[0, 0] == x_hi[1, 0]
    xs, ys = hyper_at(view, px, np.array([25.0]))
    np.testing.assert_allclose(x_hi, xs, rtol=1e-15)
    assert y_hi[0] == pytest.approx(10 ** -0.25, rel=1e-16)


def test_neighbours_8_decades_past_the_float64_limit_are_distinct_in_dd_only():
    view = View(to_fixed(np.log10(13.29976231)), to_fixed(np.log10(200.3582269)), 1e-3, 64, 36)
    deep = View(view.cx, view.cy, min_pixel(view) * 1e-8, 64, 36)
    xs, ys = pixel_hypers(deep)
    assert np.unique(xs).size < 4  # float64 sees one or two values
    x_hi, x_lo, y_hi, y_lo = pixel_hypers_dd(deep)
    for hi, lo in ((x_hi, x_lo), (y_hi, y_lo)):
        values = [from_dd(h, v) for h, v in zip(hi, lo)]
        assert all(a < b for a, b in zip(values, values[1:]))


def test_zooming_goes_past_float64_under_dd_and_stops_at_dds_own_limit():
    view = View(to_fixed(np.log10(13.29976231)), to_fixed(np.log10(200.3582269)), 1e-3, 160, 90)
    f64 = dd = view
    for _ in range(20):
        f64, _ = zoom(f64, 1e3)
        dd, clamped = zoom(dd, 1e3, "dd")
    assert at_limit(f64) and not at_limit(f64, "dd")
    assert clamped and at_limit(dd, "dd") and dd.pixel < f64.pixel * 1e-13
    assert dd.pixel == pytest.approx(min_pixel(dd, "dd"))
    x_hi, x_lo, _, _ = pixel_hypers_dd(dd)
    values = [from_dd(h, v) for h, v in zip(x_hi, x_lo)]
    assert all(a < b for a, b in zip(values, values[1:]))


def test_min_pixel_f64_is_unchanged_by_the_precision_argument():
    view = View(to_fixed(2.0), to_fixed(1.0), 1e-10, 64, 36)
    assert min_pixel(view) == min_pixel(view, "f64")
    with pytest.raises(ValueError):
        min_pixel(view, "f32")


def test_float64_lattice_values_are_the_same_bits_as_with_64_fractional_bits():
    old = [float(Context(prec=40).power(Decimal(10), Context(prec=40).divide(Decimal(i), Decimal(1 << 20))))
           for i in range(-5000, 5000, 97)]
    assert sample_values(20, range(-5000, 5000, 97)).tolist() == old


def test_dd_lattice_values_stay_distinct_and_ordered_down_to_max_level_dd():
    base = (to_fixed(np.log10(13.29976231)) >> (FRAC_BITS - MAX_LEVEL_DD)) - 4
    hi, lo = sample_values_dd(MAX_LEVEL_DD, range(base, base + 8))
    values = [from_dd(h, v) for h, v in zip(hi, lo)]
    assert all(a < b for a, b in zip(values, values[1:]))
    hi20, lo20 = sample_values_dd(20, [3, -7])
    assert (hi20.tolist(), lo20.tolist()) == ([p[0] for p in map(exp10_dd, (3 << 108, -7 << 108))],
                                              [p[1] for p in map(exp10_dd, (3 << 108, -7 << 108))])
    assert level_for(1e-40, "dd") == max_level("dd") == MAX_LEVEL_DD and level_for(1e-40) == max_level("f64")


def test_decimal_centres_keep_every_digit_and_old_integers_keep_their_point():
    text = "1.12380000000000000000000000123"
    fixed = decimal_to_fixed(Decimal(text))
    assert abs(Fraction(fixed, 1 << FRAC_BITS) - Fraction(Decimal(text))) <= Fraction(1, 1 << (FRAC_BITS + 1))
    assert Fraction(fixed_to_decimal(fixed)) == Fraction(fixed, 1 << FRAC_BITS)
    assert decimal_to_fixed(Decimal("0e-999999999")) == 0
    with pytest.raises(ValueError):
        decimal_to_fixed(Decimal("1e999999"))
    old = round(1.1238 * 2 ** OLD_FRAC_BITS) + 12345
    assert Fraction(from_old_fixed(old), 1 << FRAC_BITS) == Fraction(old, 1 << OLD_FRAC_BITS)
