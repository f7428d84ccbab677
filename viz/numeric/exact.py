"""Exact decimals beside float64: the decimal a float or a binary fraction stands for, and back.

A window end may be typed with more digits than float64 keeps, and a
view's edges are binary fractions finer than any float; these turn such
values into Decimals without rounding, and say when a Decimal is a float.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction


def float_decimal(value: float) -> Decimal:
    """The shortest decimal that reads back as this float: what it was typed or written as."""
    return Decimal(repr(float(value)))


def binary_decimal(value: Fraction) -> Decimal:
    """A rational whose denominator is a power of two (a float, a fixed-point value, sums of them) as the
    Decimal equal to it; ValueError for any other denominator (its decimal would not end)."""
    places = value.denominator.bit_length() - 1
    if value.denominator != 1 << places:
        raise ValueError(f"{value} has no finite decimal")
    return Decimal(f"{value.numerator * 5 ** places}e-{places}")


def text_value(value: Decimal) -> float | str:
    """A decimal for JSON or TOML text: the float when the float's shortest decimal is this value, else the
    exact decimal string, so the text keeps every digit and reads back (`float_decimal`) as the same value."""
    near = float(value)
    return near if float_decimal(near) == value else str(value)
