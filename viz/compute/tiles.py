"""A tile of an image as one unit of work: a pure function of (problem, hyperparameter values) -> float64 measures.

Tiles run in Dask worker processes. Taichi allows one runtime per process
and is not thread-safe, so a worker process has one task slot, starts
Taichi once on the arch its own environment names (ARCH_VARIABLE; CPU and
CUDA workers can serve one job) and keeps the engines it built across
tasks. A pixel's measure depends only on its two hyperparameter values and
the problem, never on which other pixels share its call, so a tile computed
alone equals the same pixels of a whole image, and a retried or duplicated
tile gives the same bytes.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np

from viz.errors import UsageError
from viz.numeric.dd import as_samples
from viz.problem.spec import ProblemSpec

#: The worker's own arch ("auto", "cpu" or "cuda"), read from its environment at its first tile.
ARCH_VARIABLE = "NNFRACTAL_ARCH"

#: Pixels per tile side unless --tile says: 4096 px of paper-preset work keep the per-tile overhead near 1%.
DEFAULT_TILE = 64
#: Engines built by this process, by problem: a width's first kernel build takes seconds.
_engines: dict = {}


@dataclass(frozen=True)
class Tile:
    """One chunk of an image's grid: chunk index (i, j) and the pixel rows and columns it covers."""

    i: int
    j: int
    row0: int
    col0: int
    rows: int
    cols: int

    @property
    def slices(self) -> tuple[slice, slice]:
        """Where the tile lies in the image (rows x cols, row 0 = bottom)."""
        return slice(self.row0, self.row0 + self.rows), slice(self.col0, self.col0 + self.cols)

    @property
    def pixels(self) -> int:
        return self.rows * self.cols


def tile_grid(rows: int, cols: int, size: int) -> list[Tile]:
    """The tiles of a rows x cols image, size x size each (smaller at the top and right edges)."""
    if size < 1:
        raise UsageError(f"the tile size must be positive, got {size}")
    return [Tile(i, j, r, c, min(size, rows - r), min(size, cols - c))
            for i, r in enumerate(range(0, rows, size)) for j, c in enumerate(range(0, cols, size))]


def worker_arch() -> str:
    """The arch this process was told to use (default auto: CUDA where a driver is present)."""
    return os.environ.get(ARCH_VARIABLE, "auto")


def cached_engine(spec: ProblemSpec):
    """This process's engine for a problem, built (kernel compiled) on its first use."""
    from viz.compute.backend import init_backend
    from viz.compute.engine import build_engine

    if spec not in _engines:
        if not _engines:
            _keep_kernels_at_exit()
        engine = build_engine(spec.validate(), init_backend(worker_arch()))
        engine.prepare()
        _engines[spec] = engine
    return _engines[spec]


def _keep_kernels_at_exit() -> None:
    """Have Taichi write its offline kernel cache when this worker process ends.

    Taichi writes it from an atexit hook, which a multiprocessing child (every
    Dask worker) never runs; without this each new worker rebuilt its kernels
    (measured: 340 s for n = 8 on a loaded core, 22 s from the cache).
    """
    from multiprocessing import util

    import taichi as ti

    util.Finalize(None, ti.reset, exitpriority=10)


def built_engines() -> list[ProblemSpec]:
    """The problems this process has built engines for (each once, however many tiles it ran)."""
    return list(_engines)


def warm(spec: ProblemSpec) -> str:
    """A task that builds this worker's engine for a problem ahead of its tiles; returns the worker's arch."""
    return cached_engine(spec).arch


def measure_tile(spec: ProblemSpec, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """The float64 measures of the pixels xs (columns) by ys (rows, row 0 = bottom): hyperparameter values, not logs.

    A double-double problem's values are numeric.dd.DD_PAIRS (`as_samples`), which reach the engine with
    their low parts.
    """
    from viz.compute.loop import compute_pixels, still_order

    xs, ys = as_samples(xs, spec.precision), as_samples(ys, spec.precision)
    grid_x, grid_y = np.tile(xs, ys.size), np.repeat(ys, xs.size)  # row by row from the bottom
    engine = cached_engine(spec)
    values = np.full(grid_x.size, np.nan)
    compute_pixels(engine.measure, grid_x, grid_y, values, still_order(engine.arch, values.size),
                   chunk=engine.chunk_pixels)
    return values.reshape(ys.size, xs.size)


def measure_points(spec: ProblemSpec, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """The float64 measures of scattered pairs (xs[i], ys[i]), in the given order: the explorer's batches.

    A double-double problem's pairs may be numeric.dd.DD_PAIRS arrays; they reach the engine as they are.
    """
    from viz.compute.loop import compute_pixels

    engine = cached_engine(spec)
    values = np.full(len(xs), np.nan)
    compute_pixels(engine.measure, np.asarray(xs), np.asarray(ys), values, np.arange(values.size),
                   chunk=engine.chunk_pixels)
    return values


@dataclass(frozen=True)
class TileResult:
    """A tile's measures, and the seconds its computation took inside the worker (for overhead figures)."""

    values: np.ndarray
    seconds: float


def timed_tile(spec: ProblemSpec, xs: np.ndarray, ys: np.ndarray, measure=measure_tile) -> TileResult:
    """`measure` (a tile's or `measure_points`), timed; the engine is built first, so the time is compute alone."""
    cached_engine(spec)
    start = time.perf_counter()
    values = measure(spec, xs, ys)
    return TileResult(values, time.perf_counter() - start)
