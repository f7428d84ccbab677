"""Still images at the paper's own pixel centres: what `render`, `figure1` and `dim` compute.

A still samples 10**linspace(lo, hi, res) on each axis, both ends included,
exactly as the notebook does, so its pixels are the paper's pixels. Its
window is an exact Region (sampling.region), every digit it was given
kept: a float64 still rounds the ends to float64 first, as the notebook
does; a double-double still (`axes_dd`) samples the exact window in decimal,
so it can be far narrower than float64 resolves.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from viz import limits
from viz.errors import UsageError
from viz.numeric.dd import to_dd
from viz.numeric.fixed import exp10_decimal
from viz.problem.conditions import DEFAULT_WINDOW, PANEL_STEPS, PRESETS, panel_log_window
from viz.problem.spec import ProblemSpec
from viz.sampling.region import Region
from viz.sampling.view import DD_RELATIVE_LIMIT

#: Bytes a still holds per pixel while it is computed and coloured: both axes' hyperparameters, the
#: measures, the pixel order (8 bytes each), and the colouring's float temporaries and RGB bytes.
BYTES_PER_PIXEL = 56


@dataclass(frozen=True)
class StillSpec:
    """Everything that determines a still's numbers: the problem, and where and how finely it is sampled."""

    problem: ProblemSpec = ProblemSpec()
    window: Region = DEFAULT_WINDOW  # given as a Region or its four ends (log10 x0, x1, y0, y1), kept as a Region
    cols: int = 96
    rows: int = 96

    def __post_init__(self) -> None:
        object.__setattr__(self, "window", Region.of(self.window))

    def validate(self) -> StillSpec:
        """Raise UsageError on anything the engine cannot honour, a window its arithmetic cannot resolve included."""
        self.problem.validate()
        x0, x1, y0, y1 = self.window.fractions
        if self.cols < 1 or self.rows < 1:
            raise UsageError(f"the resolution must be positive, got {self.cols}x{self.rows}")
        limits.memory(f"a {self.cols}x{self.rows} still", self.cols * self.rows * BYTES_PER_PIXEL)
        if self.problem.precision == "dd":
            step = min((x1 - x0) / max(self.cols - 1, 1), (y1 - y0) / max(self.rows - 1, 1))
            if float(step) * math.log(10.0) < DD_RELATIVE_LIMIT:
                finest = DD_RELATIVE_LIMIT / math.log(10.0)
                raise UsageError(f"the window is too narrow even for double-double: {float(step):.3g} decades "
                                 f"between neighbouring pixels; at least {finest:.1g} are resolved")
        else:
            xs, ys = self.axes()
            if not (np.all(np.diff(xs) > 0) and np.all(np.diff(ys) > 0)):
                raise UsageError("the window is too narrow for float64: neighbouring pixels would have equal "
                                 "learning rates; use --precision dd to go deeper")
        return self

    def axes(self) -> tuple[np.ndarray, np.ndarray]:
        """Sample values along x (columns) and y (rows, row 0 = bottom): the window's ends rounded to float64."""
        x0, x1, y0, y1 = self.window.floats
        return 10.0 ** np.linspace(x0, x1, self.cols), 10.0 ** np.linspace(y0, y1, self.rows)

    def axes_dd(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(x_hi, x_lo, y_hi, y_lo): 10**linspace(lo, hi, res) of the exact window, both ends included,
        each value from decimal arithmetic (numeric.fixed.exp10_decimal) rounded to a double-double pair."""
        x0, x1, y0, y1 = self.window.fractions
        return (*_axis_dd(x0, x1, self.cols), *_axis_dd(y0, y1, self.rows))

    def as_metadata(self) -> dict:
        """Plain values for PNG text and keyframe stores: the problem's keys flat beside the window's.

        The window is the region's `record()`: a number where it reads back
        as the same end, else the exact decimal string.
        """
        problem = self.problem.as_metadata()
        return {"condition": problem.pop("condition"), "window": self.window.record(),
                "cols": self.cols, "rows": self.rows, **problem}


def _axis_dd(lo: Fraction, hi: Fraction, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(hi, lo) parts of 10**(lo + (hi - lo) k / (n - 1)), k = 0 .. n - 1 (just 10**lo when n is 1)."""
    pairs = [to_dd(exp10_decimal(lo + (hi - lo) * Fraction(k, max(n - 1, 1)))) for k in range(n)]
    return np.array([p[0] for p in pairs], dtype=np.float64), np.array([p[1] for p in pairs], dtype=np.float64)


def panel_spec(name: str, res: int, preset: str = "paper", precision: str = "f64") -> StillSpec:
    """The paper's Figure 1 panel of a condition, with the steps it needs, in float64 or double-double."""
    if name not in PANEL_STEPS and name not in {"linear", "relu", "single", "tanh", "init"}:
        raise UsageError(f"no Figure 1 panel named {name!r}")
    p = PRESETS[preset]
    return StillSpec(ProblemSpec(name, p.width, PANEL_STEPS.get(name, p.steps), precision=precision),
                     window=panel_log_window(name), cols=res, rows=res)


def compute_still(spec: StillSpec, arch: str = "auto", progress: bool = True, process=None) -> np.ndarray:
    """The float64 measure image (rows x cols, row 0 = bottom) of a still.

    The kernels run in the engine process (compute.isolated): `process`, an
    EngineProcess the caller owns, or one started and closed here. Ctrl-C and
    SIGTERM stop the work at once; work goes to it in chunks (the engine's
    size) through the one compute loop. On a CPU the chunks hold scattered pixels, so the
    progress bar's rate is representative; on a GPU they hold neighbours,
    whose similar run lengths keep a warp's lanes busy.
    """
    from tqdm import tqdm

    from viz.compute import kernel_cache
    from viz.compute.isolated import IsolatedEngine
    from viz.compute.loop import compute_pixels, still_order

    spec.validate()
    problem = spec.problem
    with IsolatedEngine(problem, arch, process) as engine:  # Ctrl-C and SIGTERM stop its child at once
        if progress and not kernel_cache.is_cached(kernel_cache.cache_folder(), engine.arch, problem.width):
            print(f"building the kernel for width {problem.width}: its first use on this machine takes up to "
                  "half a minute, later runs load it from the cache", file=sys.stderr, flush=True)
        engine.prepare()
        grid_x, grid_y = still_grid(spec)
        out = np.full(grid_x.size, np.nan)
        label = f"{problem.label} {spec.cols}x{spec.rows}"
        with tqdm(total=grid_x.size, unit="px", desc=label, disable=not progress, smoothing=0.1) as bar:
            compute_pixels(engine.measure, grid_x, grid_y, out, still_order(engine.arch, out.size),
                           lambda done, _total: bar.update(done - bar.n), engine.chunk_pixels)
    return out.reshape(spec.rows, spec.cols)


def still_grid(spec: StillSpec) -> tuple[np.ndarray, np.ndarray]:
    """Every pixel's hyperparameters, row by row from the bottom: float64 values, or for a double-double
    still the exact axes as (hi, lo) pairs (numeric.dd.DD_PAIRS), whose low parts reach the engine."""
    from viz.numeric.dd import dd_pairs

    if spec.problem.precision != "dd":
        grid_x, grid_y = np.meshgrid(*spec.axes())
        return grid_x.ravel(), grid_y.ravel()
    x_hi, x_lo, y_hi, y_lo = spec.axes_dd()
    return np.tile(dd_pairs(x_hi, x_lo), spec.rows), np.repeat(dd_pairs(y_hi, y_lo), spec.cols)


def render_panel_measure(name: str, res: int) -> np.ndarray:
    """A Figure 1 panel's measure image at the paper preset (used by `nnfractal dim --panel`)."""
    return compute_still(panel_spec(name, res))
