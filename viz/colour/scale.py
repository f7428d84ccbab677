"""The live view's colour scale: histogram equalisation over what is visible, eased in time.

The paper equalises each image by rank (viz.colour.equalise.equalise). The explorer
cannot sort a million measures per frame, and a scale that jumps whenever a
batch lands would flicker, so the scale is summarised by KNOTS quantiles per
side (converged measures < 0, diverged >= 0) of a subsample of the visible
measures. A measure's level is its interpolated rank among its side's knots:
converged over [-1, -0.25], diverged over [0.25, 1], sign flipped, as in
`equalise`; the pale band stays unused. The shader (shaders/explore.frag.glsl)
does the same lookup on the GPU; `levels_of` is its NumPy twin.

Easing moves the knots, not the colours: each frame they approach the target
by 1 - exp(-dt / TAU), independent of frame rate, and a new target mid-ease
simply becomes the new destination. A convex mix of two increasing knot
sequences is increasing, so the scale stays a valid rank map throughout.
"""
from __future__ import annotations

import math

import numpy as np

from viz.colour.equalise import PALE_BAND

#: Quantiles per side; a power of two (the shader's search halves it).
KNOTS = 64
#: Time constant of the easing, seconds: 95% of the way in about a third of a second.
TAU = 0.11
#: Measures sampled from the visible picture to place the knots.
SAMPLE = 20000

#: Level of each knot before the sign flip: row 0 converged, row 1 diverged.
KNOT_LEVELS = np.stack([np.linspace(-1.0, -PALE_BAND, KNOTS), np.linspace(PALE_BAND, 1.0, KNOTS)])


def colour_defines() -> dict[str, str]:
    """The colour constants the shaders share with Python, as GLSL #defines: written here, once."""
    return {"KNOTS": str(KNOTS), "PALE_BAND": repr(float(PALE_BAND))}


def knots_of(measures: np.ndarray, split: bool = True) -> np.ndarray | None:
    """The 2 x KNOTS quantiles of a subsample of the finite measures; None when none is finite.

    Split (the measure readout): row 0 for measures < 0, row 1 for >= 0. An
    empty side gets knots of 0: any measure of that side then lands at that
    side's outer level, still on the right side of the pale band. Unsplit
    (the probe readout): 2 KNOTS quantiles of all values, in order.
    """
    flat = np.asarray(measures).ravel()
    step = max(1, flat.size // SAMPLE)
    values = np.sort(flat[::step][np.isfinite(flat[::step])].astype(np.float64))
    if values.size == 0:
        return None
    if not split:
        return _quantiles(values, 2 * KNOTS).reshape(2, KNOTS)
    middle = int(np.searchsorted(values, 0.0))
    return np.stack([_quantiles(values[:middle], KNOTS), _quantiles(values[middle:], KNOTS)])


def _quantiles(values: np.ndarray, count: int) -> np.ndarray:
    if values.size == 0:
        return np.zeros(count)
    return np.interp(np.linspace(0.0, values.size - 1, count), np.arange(values.size), values)


def levels_of(measures: np.ndarray, knots: np.ndarray, split: bool = True) -> np.ndarray:
    """Display levels of measures under a knot table, as `equalise` (split) or `equalise_rank` gives them.

    Split: diverged measures land in [-1, -0.25] (Spectral's red end),
    converged in [0.25, 1]. Unsplit: rank over [-1, 1]. NaN stays NaN.
    """
    m = np.asarray(measures, dtype=np.float64)
    if not split:
        return np.interp(m, knots.ravel(), np.linspace(-1.0, 1.0, 2 * KNOTS))
    converged = np.interp(m, knots[0], KNOT_LEVELS[0])
    diverged = np.interp(m, knots[1], KNOT_LEVELS[1])
    return np.where(np.isnan(m), np.nan, -np.where(m < 0.0, converged, diverged))


class ColourScale:
    """The knots on screen, easing towards the knots of the latest picture."""

    def __init__(self, split: bool = True, tau: float = TAU) -> None:
        self.split = split
        self.tau = tau
        self.shown: np.ndarray | None = None
        self.target: np.ndarray | None = None
        self._fresh = False  # shown was set and not yet reported by advance

    def retarget(self, measures: np.ndarray) -> None:
        """Aim at the scale of a new picture (NaN = not computed); the first one is shown at once."""
        target = knots_of(measures, self.split)
        if target is None:
            return
        self.target = target
        if self.shown is None:
            self.shown = target.copy()
            self._fresh = True

    def advance(self, dt: float) -> np.ndarray | None:
        """Move the shown knots towards the target by dt seconds; the knots if they changed since the last call."""
        fresh, self._fresh = self._fresh, False
        if self.target is None or self.shown is None or np.array_equal(self.shown, self.target):
            return self.shown if fresh else None
        weight = 1.0 - math.exp(-max(dt, 0.0) / self.tau)
        self.shown += weight * (self.target - self.shown)
        close = np.abs(self.target - self.shown) <= 1e-6 * np.maximum(np.abs(self.target), 1e-300)
        if close.all():
            self.shown = self.target.copy()
        return self.shown
