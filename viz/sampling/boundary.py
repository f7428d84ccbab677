"""Where the boundary is: neighbouring samples of opposite sign (converged < 0 < diverged).

The picture functions are shared by the explorer's "nearest boundary" key,
the demo's pilot and the scheduler's boundary-first order;
`bisect_boundary_dd` finds a point of it far below float64's resolution,
a target for a zoom past float64's limit.
"""
from __future__ import annotations

import math
from dataclasses import replace
from decimal import Context, Decimal
from fractions import Fraction

import numpy as np

from viz import limits
from viz.errors import UsageError
from viz.numeric.dd import to_dd
from viz.numeric.fixed import exp10_decimal
from viz.problem.spec import ProblemSpec
from viz.sampling.lattice import TILE, TILE_BITS, TileKey, level_for, view_maps
from viz.sampling.store import SampleStore
from viz.sampling.view import DD_RELATIVE_LIMIT, View


def sign_changes(measures: np.ndarray) -> np.ndarray:
    """Where a sample and its right-hand neighbour differ in sign (rows x cols - 1): the boundary crosses between them.

    NaN (not computed) compares as converged; callers pass complete images.
    """
    diverged = measures > 0
    return diverged[:, 1:] != diverged[:, :-1]


def nearest_boundary(measures: np.ndarray, at: tuple[float, float]) -> tuple[float, float] | None:
    """The boundary crossing nearest a position (col, row, in pixels from the bottom-left corner), or None.

    A crossing lies between two horizontal neighbours of opposite sign: it
    is returned as the point midway between their centres. Pixels not yet
    computed (NaN) take no part.
    """
    known = ~np.isnan(measures)
    change = sign_changes(measures) & known[:, 1:] & known[:, :-1]
    rows, cols = np.nonzero(change)
    if rows.size == 0:
        return None
    xs, ys = cols + 1.0, rows + 0.5  # the shared edge of pixel col and col + 1
    best = int(np.argmin(np.hypot(xs - at[0], ys - at[1])))
    return float(xs[best]), float(ys[best])


def both_signs(measures: np.ndarray) -> bool:
    """Whether computed samples of both signs are present (NaN = not computed)."""
    return bool((measures > 0).any() and (measures < 0).any())


def boundary_pixels(measures: np.ndarray) -> np.ndarray:
    """Pixels with a horizontal or vertical neighbour of the other sign (rows x cols): the boundary, both sides."""
    diverged = measures > 0
    edge = np.zeros(measures.shape, bool)
    across = diverged[:, 1:] != diverged[:, :-1]
    edge[:, 1:] |= across
    edge[:, :-1] |= across
    down = diverged[1:, :] != diverged[:-1, :]
    edge[1:, :] |= down
    edge[:-1, :] |= down
    return edge


def at_full_resolution(view: View, store: SampleStore) -> np.ndarray:
    """Which pixels of a view show their own sample at the view's finest level (rows x cols), not a coarser one."""
    level = level_for(view.pixel, store.precision)
    mx, my = view_maps(view, level)
    xs, ys = mx.base + mx.rel, my.base + my.rel
    done = np.zeros((view.rows, view.cols), bool)
    for ty in my.tiles:
        rows = np.flatnonzero((ys >> TILE_BITS) == ty)
        for tx in mx.tiles:
            tile = store.get(TileKey(level, tx, ty))
            if tile is None:
                continue
            cols = np.flatnonzero((xs >> TILE_BITS) == tx)
            sub = tile[np.ix_(ys[rows] & (TILE - 1), xs[cols] & (TILE - 1))]
            done[np.ix_(rows, cols)] = ~np.isnan(sub)
    return done


def bisect_boundary_dd(spec: ProblemSpec, y, x_converged, x_diverged, decades: float, arch: str = "auto") -> Decimal:
    """A boundary point on the row log10 y = `y`, within 10**-decades decades in x: an exact decimal log10 x.

    Bisects in double-double between a converged and a diverged x (log10
    values as Decimals or decimal strings, every digit kept; the measure's
    sign says which side a point is on), so the point can lie up to 30
    decades deep, far past float64's 15: the centre of a zoom that flies
    past float64's limit (`nnfractal zoom --center X Y`). The boundary is
    fractal, so a bracket may hold many crossings; this finds one of them.
    One training run per halving, in a child process (Ctrl-C stops it at once).
    """
    from viz.compute.isolated import IsolatedEngine
    from viz.numeric.dd import dd_pairs

    y, lo, hi = (Fraction(limits.decimal_log10(name, value)) for name, value in
                 (("the row", y), ("the converged x", x_converged), ("the diverged x", x_diverged)))
    finest = DD_RELATIVE_LIMIT / math.log(10.0)  # decades double-double still tells apart
    if not (math.isfinite(decades) and decades > 0 and 10.0 ** -decades >= finest):
        raise UsageError(f"the boundary can be bisected to at most {-math.log10(finest):.0f} decades in "
                         f"double-double, not {decades:g}")
    if lo == hi:
        raise UsageError("the converged and the diverged x must differ")
    if spec.readout != "measure":
        raise UsageError("the boundary is where the measure changes sign: bisect with --readout measure")
    with IsolatedEngine(replace(spec, precision="dd").validate(), arch) as engine:
        row = dd_pairs(*(np.array([part]) for part in to_dd(exp10_decimal(y))))

        def diverges(x: Fraction) -> bool:
            return bool(engine.measure(dd_pairs(*(np.array([part]) for part in to_dd(exp10_decimal(x)))), row)[0] > 0)

        for x, want, side in ((lo, False, "converge"), (hi, True, "diverge")):
            if diverges(x) != want:
                raise UsageError(f"training does not {side} at x = {float(x):.17g} on the row y = {float(y):g}: "
                                 "give an x where it converges and one where it diverges")
        while abs(hi - lo) > Fraction(1, 10) ** math.ceil(decades):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if diverges(mid) else (mid, hi)
    places = math.ceil(decades) + 2  # the midpoint, rounded far inside the bracket
    middle, ctx = (lo + hi) / 2, Context(prec=places + 10)
    return ctx.quantize(ctx.divide(Decimal(middle.numerator), Decimal(middle.denominator)), Decimal(1).scaleb(-places))
