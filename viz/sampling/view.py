"""The explorer's view: which window of the log10 hyperparameter plane is on screen.

x (columns) is log10 eta0, y (rows) log10 eta1. Pixels are square in
decades. Pixel coordinates are continuous, measured from the bottom-left
corner of the window: pixel (col, row) covers [col, col + 1) x [row, row + 1)
and its sample sits at its centre (col + 0.5, row + 0.5), so row 0 is the
bottom row, as in SPEC.md's images. A window toolkit's y-down mouse
position my becomes py = rows - my.

The centre is an exact fixed-point log10 coordinate (viz.numeric.fixed), an integer count of
2**-FRAC_BITS decades, so zooming and panning never lose bits however deep
the view goes, and a pixel's hyperparameter is computed as
centre * 10**offset with a small float offset, never as 10**(large log)
(DESIGN.md, decision 5). That keeps neighbouring pixels distinct in float64
down to the float64 limit itself, which a float64 zoom refuses to pass.

Past that limit a double-double picture (DESIGN.md, "Precision") takes its
hyperparameters as (hi, lo) pairs from `hyper_at_dd`, computed in decimal
from the exact fixed-point position, and zooms on to double-double's own
limit (`min_pixel(view, "dd")`), about 29 decades below a whole-plane view.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from viz.numeric.dd import to_dd
from viz.numeric.exact import binary_decimal
from viz.numeric.fixed import FRAC_BITS, exp10, exp10_decimal, from_fixed, to_fixed
from viz.problem.spec import PRECISIONS
from viz.sampling.region import Region

#: Coarsest pixel allowed, in decades (a 1280-pixel window then spans 160 decades).
MAX_PIXEL = 0.125
#: Largest |log10| of a view centre: keeps every visible hyperparameter a normal float64.
DOMAIN = 200.0

_LN10 = math.log(10.0)
#: Relative margin over one ulp when deciding the float64 limit: the pixel
#: maps below are accurate to far better than this, so at the limit
#: neighbouring pixels are still at least one ulp apart.
_LIMIT_MARGIN = 1.0 + 2.0 ** -20
#: Relative spacing double-double resolves with a margin: a dd value carries
#: about 2**-106 relative error, the engine's inputs 2**-104 (four units);
#: neighbouring pixels kept 2**-100 apart (16 x that) stay distinct and ordered.
DD_RELATIVE_LIMIT = 2.0 ** -100


@dataclass(frozen=True)
class View:
    """A window of cols x rows square pixels of `pixel` decades, centred on (cx, cy).

    cx, cy are fixed-point log10 hyperparameters (see `to_fixed`).
    """

    cx: int
    cy: int
    pixel: float
    cols: int
    rows: int

    def __post_init__(self) -> None:
        if self.cols < 1 or self.rows < 1 or not self.pixel > 0.0:
            raise ValueError(f"a view needs a positive size and pixel: {self}")

    @classmethod
    def of(cls, region: Region, cols: int, rows: int) -> View:
        """The smallest view of cols x rows that shows the region, centred on its exact midpoint.

        The region's ends are exact, so a box narrower than float64 tells
        apart keeps its centre to every digit, and a view's own region
        (`View.region`) gives the view back.
        """
        width, height = region.spans
        return cls(*region.fixed_centre, float(max(width / cols, height / rows)), cols, rows)

    @classmethod
    def fit(cls, x0, x1, y0, y1, cols: int, rows: int) -> View:
        """`View.of` the region with these ends (floats, Decimals or decimal strings), checked."""
        return cls.of(Region(x0, x1, y0, y1), cols, rows)

    @property
    def region(self) -> Region:
        """The exact region on screen: centre -+ half the pixels, every bit of the centre and the pixel kept."""
        ends = []
        for centre, n in ((self.cx, self.cols), (self.cy, self.rows)):
            middle, half = Fraction(centre, 1 << FRAC_BITS), Fraction(self.pixel) * n / 2
            ends += [binary_decimal(middle - half), binary_decimal(middle + half)]
        return Region(*ends)

    @property
    def centre(self) -> tuple[float, float]:
        """The centre in log10 units, rounded to float."""
        return from_fixed(self.cx), from_fixed(self.cy)

    @property
    def spans(self) -> tuple[float, float]:
        """Width and height of the window in decades."""
        return self.cols * self.pixel, self.rows * self.pixel


def offsets(view: View, px, py) -> tuple[np.ndarray, np.ndarray]:
    """Decades from the view centre to pixel positions (px, py)."""
    return ((np.asarray(px, dtype=np.float64) - view.cols / 2.0) * view.pixel,
            (np.asarray(py, dtype=np.float64) - view.rows / 2.0) * view.pixel)


def log_at(view: View, px, py) -> tuple[np.ndarray, np.ndarray]:
    """log10 hyperparameters at pixel positions, as floats (for display and tests)."""
    dx, dy = offsets(view, px, py)
    return from_fixed(view.cx) + dx, from_fixed(view.cy) + dy


def _scaled(fixed: int, offset: np.ndarray) -> np.ndarray:
    """10**(fixed + offset) from the correctly rounded centre c = 10**fixed.

    Near the centre it is c + c * expm1(offset ln 10): a tiny, accurate
    correction and one rounding, so pixels one ulp apart stay apart. Far from
    the centre (only in wide views, where pixels are many ulps apart) that sum
    would cancel, and c * 10**offset is the accurate form.
    """
    c = exp10(fixed)
    near = np.abs(offset) < 0.25
    return np.where(near, c + c * np.expm1(np.where(near, offset, 0.0) * _LN10), c * 10.0 ** offset)


def hyper_at(view: View, px, py) -> tuple[np.ndarray, np.ndarray]:
    """Hyperparameter values (eta0, eta1), not logs, at pixel positions (px, py)."""
    dx, dy = offsets(view, px, py)
    return _scaled(view.cx, dx), _scaled(view.cy, dy)


def pixel_hypers(view: View) -> tuple[np.ndarray, np.ndarray]:
    """Hyperparameters at the pixel centres: one per column (eta0), one per row (eta1)."""
    return hyper_at(view, np.arange(view.cols) + 0.5, np.arange(view.rows) + 0.5)


def _axis_dd(centre: int, n: int, pixel: float, positions) -> tuple[np.ndarray, np.ndarray]:
    """(hi, lo) of 10**(centre + (p - n / 2) * pixel) at positions p, one decimal power per distinct position.

    The exponent is exact (the float offset is a binary fraction), so only
    the power rounds, at DD_DIGITS digits.
    """
    positions = np.asarray(positions, dtype=np.float64)
    distinct, where = np.unique(positions, return_inverse=True)
    base, step = Fraction(centre, 1 << FRAC_BITS), Fraction(pixel)
    pairs = [to_dd(exp10_decimal(base + (Fraction(float(p)) - Fraction(n, 2)) * step)) for p in distinct]
    hi = np.array([pair[0] for pair in pairs], dtype=np.float64)
    lo = np.array([pair[1] for pair in pairs], dtype=np.float64)
    return hi[where].reshape(positions.shape), lo[where].reshape(positions.shape)


def hyper_at_dd(view: View, px, py) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Double-double hyperparameters (x_hi, x_lo, y_hi, y_lo) at pixel positions (px, py).

    What a double-double picture computes past float64's limit, where
    `hyper_at`'s float64 values of neighbouring pixels collide. Each distinct
    position costs one DD_DIGITS-digit decimal power.
    """
    x_hi, x_lo = _axis_dd(view.cx, view.cols, view.pixel, px)
    y_hi, y_lo = _axis_dd(view.cy, view.rows, view.pixel, py)
    return x_hi, x_lo, y_hi, y_lo


def pixel_hypers_dd(view: View) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`pixel_hypers` in double-double: (x_hi, x_lo) per column, (y_hi, y_lo) per row (cols + rows decimal powers)."""
    return hyper_at_dd(view, np.arange(view.cols) + 0.5, np.arange(view.rows) + 0.5)


def pixel_of(view: View, x: float, y: float) -> tuple[float, float]:
    """Pixel position of the log10 point (x, y): the inverse of `log_at`."""
    return ((to_fixed(x) - view.cx) / (1 << FRAC_BITS) / view.pixel + view.cols / 2.0,
            (to_fixed(y) - view.cy) / (1 << FRAC_BITS) / view.pixel + view.rows / 2.0)


def _max_relative_ulp(lo: float, hi: float) -> float:
    """Largest ulp(v) / v over [lo, hi]: at lo, unless the range crosses a power of two."""
    if math.frexp(lo)[1] != math.frexp(hi)[1]:
        return 2.0 ** -52
    return float(np.spacing(lo)) / lo


def _known_precision(precision: str) -> str:
    """`precision` if it is one of PRECISIONS; ValueError otherwise (a caller's bug, not user input)."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; one of {PRECISIONS}")
    return precision


def min_pixel(view: View, precision: str = "f64") -> float:
    """The smallest pixel (decades) this view's arithmetic resolves.

    f64: every pair of neighbouring pixels of this view still has distinct
    float64 hyperparameters. dd: neighbours stay DD_RELATIVE_LIMIT apart in
    relative terms, wherever the view is (double-double's spacing is
    relative, unlike float64's ulp it has no steps worth modelling).
    """
    if _known_precision(precision) == "dd":
        return DD_RELATIVE_LIMIT / _LN10
    xs, ys = hyper_at(view, [0.0, view.cols], [0.0, view.rows])
    rel = max(_max_relative_ulp(xs[0], xs[1]), _max_relative_ulp(ys[0], ys[1]))
    return float(rel / _LN10 * _LIMIT_MARGIN)


def at_limit(view: View, precision: str = "f64") -> bool:
    """True when the view cannot zoom in further without merging neighbours in this arithmetic."""
    return view.pixel <= min_pixel(view, precision) * (1.0 + 2.0 ** -30)


def _clamp_centre(fixed: int) -> int:
    """Keep a centre within DOMAIN decades of 1."""
    bound = to_fixed(DOMAIN)
    return min(max(fixed, -bound), bound)


def zoom_at(view: View, px: float, py: float, factor: float, precision: str = "f64") -> tuple[View, bool]:
    """Magnify by `factor` (> 1 zooms in) keeping the point under pixel position (px, py) fixed.

    Returns the new view and whether the zoom was clamped, at the limit of
    `precision`'s arithmetic (`min_pixel`) or at MAX_PIXEL; a clamped zoom
    still keeps the point fixed.
    """
    if not factor > 0.0:
        raise ValueError(f"zoom factor must be positive, got {factor}")
    pixel = view.pixel / factor
    ax, ay = px - view.cols / 2.0, py - view.rows / 2.0

    def moved(new_pixel: float) -> View:
        return replace(view, pixel=new_pixel,
                       cx=_clamp_centre(view.cx + to_fixed(ax * (view.pixel - new_pixel))),
                       cy=_clamp_centre(view.cy + to_fixed(ay * (view.pixel - new_pixel))))

    allowed = max(min(pixel, MAX_PIXEL), min_pixel(moved(min(pixel, MAX_PIXEL)), precision))
    if factor > 1.0:  # a clamped zoom never goes the wrong way
        allowed = min(allowed, view.pixel)
    else:
        allowed = max(allowed, view.pixel)
    return moved(allowed), allowed != pixel


def zoom(view: View, factor: float, precision: str = "f64") -> tuple[View, bool]:
    """`zoom_at` about the centre of the window."""
    return zoom_at(view, view.cols / 2.0, view.rows / 2.0, factor, precision)


def pan(view: View, dpx: float, dpy: float) -> View:
    """Move the window by (dpx, dpy) pixels: positive dpx shows what was to the right.

    A drag that moves the content by (mx, my) pixels is pan(view, -mx, -my).
    Exactly invertible (pan by the negated amounts) away from the DOMAIN edge.
    """
    return replace(view, cx=_clamp_centre(view.cx + to_fixed(dpx * view.pixel)),
                   cy=_clamp_centre(view.cy + to_fixed(dpy * view.pixel)))


def resize(view: View, cols: int, rows: int) -> View:
    """The same centre and visible height in a cols x rows window."""
    return replace(view, pixel=view.pixel * view.rows / rows, cols=cols, rows=rows)


def depth(view: View, reference: float = 9.0) -> float:
    """Zoom depth in decades of magnification: log10(reference height / visible height).

    The default reference is the notebook's starting view, 9 decades high.
    """
    return math.log10(reference / view.spans[1])
