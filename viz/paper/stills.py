"""Still images at the paper's own pixel centres: what `render`, `figure1` and `dim` compute.

A still samples 10**linspace(lo, hi, res) on each axis, both ends included,
exactly as the notebook does, so its pixels are the paper's pixels.
"""
from __future__ import annotations

import sys
from dataclasses import asdict, dataclass

import numpy as np

from viz.problem.conditions import CONDITIONS, DEFAULT_WINDOW, PANEL_STEPS, PRESETS, READOUTS, panel_log_window
from viz.errors import UsageError
from viz.problem.spec import PAPER_SEED

@dataclass(frozen=True)
class StillSpec:
    """Everything that determines a still's numbers."""

    condition: str = "tanh"
    window: tuple[float, float, float, float] = DEFAULT_WINDOW  # log10 x0, x1, y0, y1
    cols: int = 96
    rows: int = 96
    width: int = PRESETS["paper"].width
    steps: int = PRESETS["paper"].steps
    seed: int = PAPER_SEED
    readout: str = "measure"

    def validate(self) -> "StillSpec":
        """Raise UsageError on anything the engine cannot honour."""
        x0, x1, y0, y1 = self.window
        if self.condition not in CONDITIONS:
            raise UsageError(f"unknown condition {self.condition!r}; choose one of {', '.join(CONDITIONS)}")
        if self.readout not in READOUTS:
            raise UsageError(f"unknown readout {self.readout!r}; choose one of {', '.join(READOUTS)}")
        if not all(np.isfinite(v) for v in self.window):
            raise UsageError("the window must be four finite numbers")
        if not x0 < x1 or not y0 < y1:
            raise UsageError(f"the window needs X0 < X1 and Y0 < Y1, got {x0:g} {x1:g} {y0:g} {y1:g}")
        if self.cols < 1 or self.rows < 1:
            raise UsageError(f"the resolution must be positive, got {self.cols}x{self.rows}")
        if self.width < 1 or self.steps < 1:
            raise UsageError("--width and --steps must be positive")
        if self.steps < 20 and self.readout == "measure":
            raise UsageError("the measure averages the last 20 steps: use --steps 20 or more")
        return self

    def axes(self) -> tuple[np.ndarray, np.ndarray]:
        """Sample values along x (columns) and y (rows, row 0 = bottom)."""
        x0, x1, y0, y1 = self.window
        return 10.0 ** np.linspace(x0, x1, self.cols), 10.0 ** np.linspace(y0, y1, self.rows)

    def as_metadata(self) -> dict:
        """Plain values for PNG text and keyframe stores."""
        data = asdict(self)
        data["window"] = list(self.window)
        return data


def panel_spec(name: str, res: int, preset: str = "paper") -> StillSpec:
    """The paper's Figure 1 panel of a condition, with the steps it needs."""
    if name not in PANEL_STEPS and name not in {"linear", "relu", "single", "tanh", "init"}:
        raise UsageError(f"no Figure 1 panel named {name!r}")
    p = PRESETS[preset]
    return StillSpec(condition=name, window=panel_log_window(name), cols=res, rows=res,
                     width=p.width, steps=PANEL_STEPS.get(name, p.steps))


def compute_still(spec: StillSpec, arch: str = "auto", progress: bool = True) -> np.ndarray:
    """The float64 measure image (rows x cols, row 0 = bottom) of a still.

    Work goes to the engine in chunks (the engine's size), so Ctrl-C lands
    within one chunk. On a CPU the chunks hold scattered pixels, so the
    progress bar's rate is representative; on a GPU they hold neighbours,
    whose similar run lengths keep a warp's lanes busy.
    """
    from tqdm import tqdm

    from viz.compute.engine import engine_for

    spec.validate()
    engine = engine_for(spec.condition, spec.width, spec.steps, spec.seed, spec.readout, arch)
    if progress:
        print(f"building the engine for width {spec.width} (a first build takes up to half a minute; "
              "cached afterwards)", file=sys.stderr, flush=True)
    engine.prepare()
    xs, ys = spec.axes()
    grid_x, grid_y = np.meshgrid(xs, ys)
    flat_x, flat_y = grid_x.ravel(), grid_y.ravel()
    out = np.full(flat_x.size, np.nan)
    if engine.arch == "cuda":
        order = np.arange(flat_x.size)
    else:
        order = np.random.default_rng(0).permutation(flat_x.size)
    chunk = engine.chunk_pixels
    label = f"{spec.condition} n={spec.width} T={spec.steps} {spec.cols}x{spec.rows}"
    with tqdm(total=flat_x.size, unit="px", desc=label, disable=not progress, smoothing=0.1) as bar:
        for start in range(0, order.size, chunk):
            idx = order[start:start + chunk]
            out[idx] = engine.measure(flat_x[idx], flat_y[idx])
            bar.update(idx.size)
    return out.reshape(spec.rows, spec.cols)


def render_panel_measure(name: str, res: int) -> np.ndarray:
    """A Figure 1 panel's measure image at the paper preset (used by `nnfractal dim --panel`)."""
    return compute_still(panel_spec(name, res))
