"""Double-double on the host: a value as the unevaluated sum hi + lo of two float64s, to and from exact numbers.

The Taichi side (the arithmetic itself) is viz.compute.kernels.dd; this is
what every layer needs without Taichi: turning a Fraction, Decimal, decimal
string or float into the nearest (hi, lo) pair and back, exactly, and the
one dtype of a problem's samples (`sample_dtype`, `as_samples`), which
follows from its precision.
"""
from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np


def _fraction(value) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str):
        return Fraction(Decimal(value.strip()))
    return Fraction(value)


def to_dd(value) -> tuple[float, float]:
    """(hi, lo): hi the float64 nearest value, lo the float64 nearest the rest; |error| <= 2^-106 |value|.

    Takes a Fraction, Decimal, int, float or decimal string (every digit
    counts). Non-finite floats and Decimals come back as (value, 0.0).
    """
    if isinstance(value, (float, Decimal)) and not (value.is_finite() if isinstance(value, Decimal)
                                                      else math.isfinite(value)):
        return float(value), 0.0
    q = _fraction(value)
    try:
        hi = float(q)  # Fraction -> float rounds correctly
    except OverflowError:
        return (math.inf if q > 0 else -math.inf), 0.0
    return hi, float(q - Fraction(hi))


def from_dd(hi: float, lo: float) -> Fraction:
    """hi + lo exactly (both must be finite)."""
    return Fraction(float(hi)) + Fraction(float(lo))


def to_dd_array(values) -> tuple[np.ndarray, np.ndarray]:
    """`to_dd` over a sequence: two float64 arrays (hi, lo) of its length."""
    pairs = [to_dd(v) for v in values]
    hi = np.array([p[0] for p in pairs], dtype=np.float64)
    lo = np.array([p[1] for p in pairs], dtype=np.float64)
    return hi, lo


def dd_to_decimal(hi: float, lo: float, digits: int = 34) -> Decimal:
    """hi + lo rounded to `digits` significant decimal digits (34 carry every bit a dd value holds)."""
    with localcontext() as ctx:
        ctx.prec = digits
        return Decimal(float(hi)) + Decimal(float(lo))


#: A double-double hyperparameter array: each element the unevaluated sum hi + lo, so an array of them
#: passes through the compute loop, a pipe or a Dask task as floats do.
DD_PAIRS = np.dtype([("hi", np.float64), ("lo", np.float64)])


def dd_pairs(hi, lo) -> np.ndarray:
    """One DD_PAIRS array from the high and low parts (same shape)."""
    hi, lo = np.asarray(hi, np.float64), np.asarray(lo, np.float64)
    if hi.shape != lo.shape:
        raise ValueError("hi and lo parts must have the same shape")
    pairs = np.empty(hi.shape, DD_PAIRS)
    pairs["hi"], pairs["lo"] = hi, lo
    return pairs


def sample_dtype(precision: str) -> np.dtype:
    """The dtype of a problem's hyperparameter samples: DD_PAIRS in double-double ("dd"), else float64."""
    return DD_PAIRS if precision == "dd" else np.dtype(np.float64)


def precision_of(samples: np.ndarray) -> str:
    """The arithmetic samples of this dtype are for: the inverse of `sample_dtype`."""
    return "dd" if np.asarray(samples).dtype == DD_PAIRS else "f64"


def as_samples(values, precision: str) -> np.ndarray:
    """Hyperparameters as one flat, contiguous array of `sample_dtype(precision)`: floats become pairs with
    a zero low part; pairs for float64 are a caller's bug (ValueError), as rounding them would hide it."""
    values, dtype = np.asarray(values), sample_dtype(precision)
    if values.dtype == DD_PAIRS and dtype != DD_PAIRS:
        raise ValueError("double-double samples need a double-double problem (precision 'dd')")
    if dtype == DD_PAIRS and values.dtype != DD_PAIRS:
        floats = np.asarray(values, np.float64).ravel()
        return dd_pairs(floats, np.zeros_like(floats))
    return np.ascontiguousarray(np.asarray(values, dtype).ravel())
