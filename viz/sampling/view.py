"""The explorer's view: which window of the log10 hyperparameter plane is on screen.

x (columns) is log10 eta0, y (rows) log10 eta1. Pixels are square in
decades. Pixel coordinates are continuous, measured from the bottom-left
corner of the window: pixel (col, row) covers [col, col + 1) x [row, row + 1)
and its sample sits at its centre (col + 0.5, row + 0.5), so row 0 is the
bottom row, as in SPEC.md's images. A window toolkit's y-down mouse
position my becomes py = rows - my.

The centre is an exact fixed-point log10 coordinate, an integer count of
2**-FRAC_BITS decades, so zooming and panning never lose bits however deep
the view goes, and a pixel's hyperparameter is computed as
centre * 10**offset with a small float offset, never as 10**(large log)
(DESIGN.md, decision 5). That keeps neighbouring pixels distinct in float64
down to the float64 limit itself, which zooming refuses to pass.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Context, Decimal

import numpy as np

from viz import limits

#: Fractional bits of the fixed-point log10 centre (2**-64 decades is about
#: 1/2000 of a pixel at the float64 limit).
FRAC_BITS = 64
#: Coarsest pixel allowed, in decades (a 1280-pixel window then spans 160 decades).
MAX_PIXEL = 0.125
#: Largest |log10| of a view centre: keeps every visible hyperparameter a normal float64.
DOMAIN = 200.0

_LN10 = math.log(10.0)
#: Relative margin over one ulp when deciding the float64 limit: the pixel
#: maps below are accurate to far better than this, so at the limit
#: neighbouring pixels are still at least one ulp apart.
_LIMIT_MARGIN = 1.0 + 2.0 ** -20


def to_fixed(log10: float) -> int:
    """A float log10 coordinate as the nearest fixed-point integer (exact for most floats)."""
    return round(float(log10) * 2.0 ** FRAC_BITS)


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


def check_window(window) -> tuple[float, float, float, float]:
    """A log10 window (x0, x1, y0, y1) as a tuple, refused unless inside float64's range with x0 < x1, y0 < y1."""
    return limits.log10_window(window)


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
    def fit(cls, x0: float, x1: float, y0: float, y1: float, cols: int, rows: int) -> View:
        """The smallest view of cols x rows that shows the log10 box [x0, x1] x [y0, y1], centred."""
        pixel = max((x1 - x0) / cols, (y1 - y0) / rows)
        return cls(to_fixed((x0 + x1) / 2.0), to_fixed((y0 + y1) / 2.0), pixel, cols, rows)

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


def pixel_of(view: View, x: float, y: float) -> tuple[float, float]:
    """Pixel position of the log10 point (x, y): the inverse of `log_at`."""
    return ((to_fixed(x) - view.cx) / (1 << FRAC_BITS) / view.pixel + view.cols / 2.0,
            (to_fixed(y) - view.cy) / (1 << FRAC_BITS) / view.pixel + view.rows / 2.0)


def _max_relative_ulp(lo: float, hi: float) -> float:
    """Largest ulp(v) / v over [lo, hi]: at lo, unless the range crosses a power of two."""
    if math.frexp(lo)[1] != math.frexp(hi)[1]:
        return 2.0 ** -52
    return float(np.spacing(lo)) / lo


def min_pixel(view: View) -> float:
    """The float64 limit: the smallest pixel (decades) at which every pair of
    neighbouring pixels of this view still has distinct float64 hyperparameters."""
    xs, ys = hyper_at(view, [0.0, view.cols], [0.0, view.rows])
    rel = max(_max_relative_ulp(xs[0], xs[1]), _max_relative_ulp(ys[0], ys[1]))
    return float(rel / _LN10 * _LIMIT_MARGIN)


def at_limit(view: View) -> bool:
    """True when the view cannot zoom in further without merging float64 neighbours."""
    return view.pixel <= min_pixel(view) * (1.0 + 2.0 ** -30)


def _clamp_centre(fixed: int) -> int:
    """Keep a centre within DOMAIN decades of 1."""
    bound = to_fixed(DOMAIN)
    return min(max(fixed, -bound), bound)


def zoom_at(view: View, px: float, py: float, factor: float) -> tuple[View, bool]:
    """Magnify by `factor` (> 1 zooms in) keeping the point under pixel position (px, py) fixed.

    Returns the new view and whether the zoom was clamped, at the float64
    limit (`min_pixel`) or at MAX_PIXEL; a clamped zoom still keeps the
    point fixed.
    """
    if not factor > 0.0:
        raise ValueError(f"zoom factor must be positive, got {factor}")
    pixel = view.pixel / factor
    ax, ay = px - view.cols / 2.0, py - view.rows / 2.0

    def moved(new_pixel: float) -> View:
        return replace(view, pixel=new_pixel,
                       cx=_clamp_centre(view.cx + to_fixed(ax * (view.pixel - new_pixel))),
                       cy=_clamp_centre(view.cy + to_fixed(ay * (view.pixel - new_pixel))))

    allowed = max(min(pixel, MAX_PIXEL), min_pixel(moved(min(pixel, MAX_PIXEL))))
    if factor > 1.0:  # a clamped zoom never goes the wrong way
        allowed = min(allowed, view.pixel)
    else:
        allowed = max(allowed, view.pixel)
    return moved(allowed), allowed != pixel


def zoom(view: View, factor: float) -> tuple[View, bool]:
    """`zoom_at` about the centre of the window."""
    return zoom_at(view, view.cols / 2.0, view.rows / 2.0, factor)


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
