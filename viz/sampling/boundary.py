"""Where the boundary is in a picture: neighbouring samples of opposite sign (converged < 0 < diverged).

Shared by the explorer's "nearest boundary" key, the demo's pilot and the
scheduler's boundary-first order.
"""
from __future__ import annotations

import numpy as np

from viz.sampling.lattice import TILE, TILE_BITS, TileKey, level_for, view_maps
from viz.sampling.store import SampleStore
from viz.sampling.view import View


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
