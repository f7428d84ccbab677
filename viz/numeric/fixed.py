"""Fixed-point log10 coordinates: an integer count of 2**-FRAC_BITS decades, exact however deep a view goes.

A view's centre, a lattice sample's position and a keyframe's centre are
such integers (DESIGN.md, decision 5); here are their conversions to and
from floats, decimals and rationals, and 10**x of one, correctly rounded
to float64 or to a double-double pair.
"""
from __future__ import annotations

from decimal import Context, Decimal
from fractions import Fraction

from viz.numeric.dd import to_dd

#: Fractional bits of the fixed-point log10 centre: 2**-128 decades (3e-39) is
#: about 1/10**8 of a pixel at double-double's limit, 32 decades of zoom below
#: a whole-plane view leave pixels of 1e-34 decades, still 40,000 units.
FRAC_BITS = 128
#: Fractional bits of fixed-point integers written before double-double: a
#: bookmark's integer centre and a format-1 keyframe manifest count 2**-64 decades.
OLD_FRAC_BITS = 64
#: Decimal digits of the dd hyperparameters' arithmetic: 60 digits are 2**-199,
#: far below the 2**-106 a (hi, lo) pair keeps, so the pair is correctly rounded.
DD_DIGITS = 60


def to_fixed(log10: float) -> int:
    """A float log10 coordinate as the nearest fixed-point integer (exact for most floats)."""
    return round(float(log10) * 2.0 ** FRAC_BITS)


def decimal_to_fixed(log10: Decimal) -> int:
    """A decimal log10 coordinate (every digit the user typed) as the nearest fixed-point integer (ties to even).

    ValueError for a non-finite value or one far off any axis (|log10| >= 10**6):
    an exponent of a billion would otherwise make a billion-digit integer.
    """
    if not log10.is_finite() or log10.adjusted() >= 6:
        raise ValueError(f"not a log10 coordinate within the axes: {log10}")
    if log10.adjusted() < -2 * FRAC_BITS:  # far below half a unit: exactly 0, without a huge denominator
        return 0
    return exact_to_fixed(Fraction(log10))


def exact_to_fixed(log10: Fraction) -> int:
    """An exact rational log10 coordinate as the nearest fixed-point integer (ties to even)."""
    return round(log10 * (1 << FRAC_BITS))


def fixed_to_decimal(fixed: int) -> Decimal:
    """The exact decimal a fixed-point coordinate stands for (2**-FRAC_BITS has FRAC_BITS decimal places)."""
    return Context(prec=FRAC_BITS + 20).divide(Decimal(fixed), Decimal(1 << FRAC_BITS))


def from_old_fixed(old: int) -> int:
    """A fixed-point integer written in OLD_FRAC_BITS units (old bookmarks, format-1 manifests) in today's units."""
    return old << (FRAC_BITS - OLD_FRAC_BITS)


def from_fixed(fixed: int) -> float:
    """A fixed-point log10 coordinate as the nearest float."""
    return fixed / (1 << FRAC_BITS)


def exp10(fixed: int) -> float:
    """10**(fixed / 2**FRAC_BITS), correctly rounded to float64.

    Computed in 40-digit decimal arithmetic, so the result depends only on the
    integer: the same lattice point gives the same bits whoever asks for it.
    """
    ctx = Context(prec=40)
    return float(ctx.power(Decimal(10), ctx.divide(Decimal(fixed), Decimal(1 << FRAC_BITS))))


def exp10_decimal(log10: Fraction) -> Decimal:
    """10**log10 (an exact rational) to DD_DIGITS significant digits: the value a double-double pair rounds."""
    ctx = Context(prec=DD_DIGITS + 5)
    exponent = ctx.divide(Decimal(log10.numerator), Decimal(log10.denominator))
    return Context(prec=DD_DIGITS).power(Decimal(10), exponent)


def exp10_dd(fixed: int) -> tuple[float, float]:
    """10**(fixed / 2**FRAC_BITS) as a double-double (hi, lo), from DD_DIGITS-digit decimal arithmetic.

    The counterpart of `exp10` for a double-double picture: the pair is the
    nearest (hi, lo) to the value, so it depends only on the integer.
    """
    return to_dd(exp10_decimal(Fraction(fixed, 1 << FRAC_BITS)))
