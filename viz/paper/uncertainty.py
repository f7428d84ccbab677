"""The uncertainty exponent: a boundary's dimension from pairs of runs, with no picture and an error bar.

Grebogi, McDonald, Ott and Yorke (1983); McDonald et al. (1985), "Fractal
basin boundaries". Draw M points uniformly in a window and give each a
partner at distance eps (a fraction of the window's width, per axis) in a
random direction. The share f(eps) of pairs whose outcomes differ falls as
eps^alpha, and the boundary's dimension is d - alpha (d = 2 for a plane).
Unlike a box count it probes scales far below any pixel, and its cost is
2M runs per eps whatever the resolution.

The points and directions are drawn once from the seed and reused at every
eps (common random numbers), so the curve f(eps) is smooth and a fixed seed
gives the same numbers twice. The fit rule, stated once here: alpha is the
least-squares slope of log f on log eps over every eps at which at least
MIN_CHANGES pairs changed (their count's Poisson error is then at most 22%)
and f is at most MAX_SHARE (above it the pairs are nearly independent draws
and f saturates). The 95% interval comes from resampling the points
(bootstrap, BOOTSTRAP resamples) and refitting on the same eps.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from viz.errors import UsageError

#: Fewest changed pairs at an eps that enters the fit.
MIN_CHANGES = 20
#: Largest share of changed pairs that enters the fit.
MAX_SHARE = 0.3
#: Bootstrap resamples of the points for the interval.
BOOTSTRAP = 1000
#: Resamples drawn at once (bounds the memory of the weights: chunk x M).
BOOTSTRAP_CHUNK = 50
#: The default eps, as fractions of the window's width: a log grid from 1e-1 down to 1e-12, 2 per decade.
DEFAULT_EPS = tuple(10.0 ** (-k / 2) for k in range(2, 25))

#: outcome(points) -> one bool per point (its row of coordinates): converged or not.
Outcome = Callable[[np.ndarray], np.ndarray]


class Pairs:
    """M seeded points in a window and a seeded direction for each: the sample every eps reuses."""

    def __init__(self, window: Sequence[tuple[float, float]], points: int, seed: int = 0) -> None:
        lows, highs = (np.array([float(side[i]) for side in window]) for i in (0, 1))
        if points < 2:
            raise UsageError(f"--points must be at least 2, got {points}")
        if not np.all(np.isfinite(lows) & np.isfinite(highs) & (highs > lows)):
            raise UsageError("the window must have finite sides with low < high")
        rng = np.random.default_rng(seed)
        self.lows, self.spans = lows, highs - lows
        self.points = lows + self.spans * rng.random((points, len(lows)))
        directions = rng.standard_normal((points, len(lows)))
        self.directions = directions / np.linalg.norm(directions, axis=1, keepdims=True)

    @property
    def dims(self) -> int:
        """d: the dimension of the space the boundary lives in."""
        return self.points.shape[1]

    def partners(self, eps: float) -> np.ndarray:
        """Each point moved by eps of the window's width along its direction."""
        return self.points + eps * self.spans * self.directions


@dataclass(frozen=True)
class Exponent:
    """f(eps) over the eps grid, which eps entered the fit, alpha, D = d - alpha and its 95% interval."""

    eps: tuple[float, ...]
    f: tuple[float, ...]
    changes: tuple[int, ...]
    fitted: tuple[bool, ...]
    alpha: float
    dimension: float
    interval: tuple[float, float]
    points: int
    dims: int

    def as_json(self) -> dict:
        """The record `dim --json` writes (eps as fractions of the window's width)."""
        fit_eps = [e for e, used in zip(self.eps, self.fitted) if used]
        return {"method": "uncertainty", "dimension": self.dimension, "interval": list(self.interval),
                "alpha": self.alpha, "eps": list(self.eps), "f": list(self.f), "changes": list(self.changes),
                "fit_eps": [min(fit_eps), max(fit_eps)], "points": self.points, "d": self.dims,
                "rule": f"least squares of log f on log eps where at least {MIN_CHANGES} pairs changed "
                        f"and f <= {MAX_SHARE}; 95% interval from {BOOTSTRAP} bootstrap resamples of the points"}


def changed(outcome: Outcome, pairs: Pairs, base: np.ndarray, eps: float) -> np.ndarray:
    """Which pairs at distance eps have outcomes that differ (one bool per point)."""
    return np.asarray(outcome(pairs.partners(eps)), dtype=bool) != base


def fit(eps: Sequence[float], changed_by_eps: np.ndarray, dims: int, seed: int = 0) -> Exponent:
    """alpha, D and its interval from the changed-pair indicators, one column per eps (points x eps)."""
    eps = np.asarray(eps, dtype=float)
    flips = np.asarray(changed_by_eps, dtype=bool)
    points = flips.shape[0]
    counts = flips.sum(axis=0)
    share = counts / points
    used = (counts >= MIN_CHANGES) & (share <= MAX_SHARE)
    if used.sum() < 2:
        raise UsageError(f"too few eps with at least {MIN_CHANGES} changed pairs and f <= {MAX_SHARE} to fit "
                         f"(changed: {', '.join(str(int(c)) for c in counts)}): use more --points or a window "
                         "that holds the boundary")
    log_eps = np.log(eps[used])
    alpha = _slope(log_eps, np.log(share[used]))
    rng = np.random.default_rng(seed)
    alphas = []
    subset = flips[:, used].astype(np.float64)
    for start in range(0, BOOTSTRAP, BOOTSTRAP_CHUNK):
        draws = min(BOOTSTRAP_CHUNK, BOOTSTRAP - start)
        weights = rng.multinomial(points, np.full(points, 1.0 / points), size=draws)
        shares = np.maximum(weights @ subset / points, 0.5 / points)  # a resample may lose every change
        alphas.extend(_slope(log_eps, np.log(row)) for row in shares)
    low, high = np.percentile(dims - np.asarray(alphas), [2.5, 97.5])
    return Exponent(tuple(eps.tolist()), tuple(share.tolist()), tuple(int(c) for c in counts),
                    tuple(bool(u) for u in used), float(alpha), float(dims - alpha), (float(low), float(high)),
                    points, dims)


def uncertainty_exponent(outcome: Outcome, window: Sequence[tuple[float, float]], points: int = 2000,
                         seed: int = 0, eps: Sequence[float] = DEFAULT_EPS,
                         progress: Callable[[float, float, int], None] | None = None) -> Exponent:
    """The whole method on one window: base outcomes, f at each eps (reported as it finishes), the fit."""
    pairs = Pairs(window, points, seed)
    base = np.asarray(outcome(pairs.points), dtype=bool)
    columns = []
    for e in eps:
        column = changed(outcome, pairs, base, e)
        columns.append(column)
        if progress is not None:
            progress(e, float(column.mean()), int(column.sum()))
    return fit(eps, np.stack(columns, axis=1), pairs.dims, seed)


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of y on x."""
    dx = x - x.mean()
    return float(dx @ (y - y.mean()) / (dx @ dx))
