"""The one exact region of the log10 plane: what a --window, a still and a saved view name.

Its four ends are exact Decimals, however many digits they were given
with, and are checked once, when the region is built (finite, within the
axes' +-MAX_LOG10, x0 < x1 and y0 < y1 compared exactly): a bad end is one
UsageError line. A float end stands for its shortest decimal, the number
it was typed or written as, so its float view is the float again and a
window of floats computes exactly what it did as floats. Text (PNG
metadata, bookmarks) holds `record()`, which `Region.of` reads back to the
same region.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from viz import limits
from viz.numeric.exact import float_decimal, text_value
from viz.numeric.fixed import exact_to_fixed

_NAMES = ("x0", "x1", "y0", "y1")


def _checked(window) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """Four ends as exact Decimals (a float as its shortest decimal), or the one-line UsageError of limits."""
    if isinstance(window, (tuple, list)):
        window = [float_decimal(v) if isinstance(v, float) else v for v in window]
    return limits.decimal_window(window)


@dataclass(frozen=True)
class Region:
    """The box [x0, x1] x [y0, y1] in log10 units (x: eta0, columns; y: eta1, rows), its ends exact."""

    x0: Decimal
    x1: Decimal
    y0: Decimal
    y1: Decimal

    def __post_init__(self) -> None:
        for name, end in zip(_NAMES, _checked(list(self.ends))):
            object.__setattr__(self, name, end)

    @classmethod
    def of(cls, window) -> Region:
        """A region from four ends X0 X1 Y0 Y1 (floats, ints, Decimals or decimal strings), or a region itself."""
        return window if isinstance(window, Region) else cls(*_checked(window))

    @property
    def ends(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """(x0, x1, y0, y1), exact."""
        return self.x0, self.x1, self.y0, self.y1

    @property
    def floats(self) -> tuple[float, float, float, float]:
        """The ends rounded to float64: what a float64 still samples between (the notebook's linspace ends)."""
        return tuple(float(v) for v in self.ends)  # type: ignore[return-value]

    @property
    def fractions(self) -> tuple[Fraction, Fraction, Fraction, Fraction]:
        """The ends as exact rationals, for arithmetic that must not round."""
        return tuple(Fraction(v) for v in self.ends)  # type: ignore[return-value]

    @property
    def spans(self) -> tuple[Fraction, Fraction]:
        """Width and height in decades, exact."""
        x0, x1, y0, y1 = self.fractions
        return x1 - x0, y1 - y0

    @property
    def fixed_centre(self) -> tuple[int, int]:
        """The centre as fixed-point log10 coordinates (numeric.fixed), the nearest to the exact midpoint."""
        x0, x1, y0, y1 = self.fractions
        return exact_to_fixed((x0 + x1) / 2), exact_to_fixed((y0 + y1) / 2)

    def record(self) -> list[float | str]:
        """The ends for text: a number where the number's shortest decimal is the end, else its exact string."""
        return [text_value(v) for v in self.ends]
