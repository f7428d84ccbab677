"""Which samples to compute next for a view: coarse to fine, the boundary first, nearest the centre first.

Only what the view shows is asked for: at each level from `levels(view)`,
the samples its pixels use (lattice.view_maps) that the store does not hold.
Whole levels go in order, coarsest first, so the screen fills quickly and
then sharpens. Within a level, samples near the boundary (both signs among
the samples already known within BOUNDARY_REACH of them, most of which a
tile inherits from the level above) go first, so the boundary, where the
detail is, sharpens before the areas of one colour; then the rest. Within
each of those, tiles and then samples go nearest the centre first. The
order changes nothing else: each sample is a function of its point alone,
so the finished picture is the same.
A batch is sized by `BatchSizer` to a wall-time budget.

The intended loop (one batch in flight at a time, the view re-read for each):
    batch = next_batch(view, store, sizer.size)
    if batch is not None:
        measures = measure(batch.xs, batch.ys)   # the engine
        deliver(store, batch, measures)
        sizer.record(len(batch), seconds)
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from viz.sampling.lattice import TILE_BITS, TileKey, axis_values, axis_values_dd, level_for, tile_walk, view_maps
from viz.sampling.store import SampleStore
from viz.sampling.view import View

#: Samples across the shorter side of the window at the coarsest level computed.
COARSE_SAMPLES = 16
#: How far (in samples, a square) a sample may lie from known samples of both signs to count as near the boundary.
BOUNDARY_REACH = 1


@dataclass(frozen=True)
class Work:
    """A tile with samples the view shows but the store lacks, and the part of it the view shows."""

    key: TileKey
    rows: slice
    cols: slice
    offset: tuple[float, float]  # tile position (0, 0) minus the view centre, in samples


@dataclass(frozen=True)
class Part:
    """Samples of one tile in a batch: tile positions (rows[i], cols[i]), batch entries start:stop."""

    key: TileKey
    rows: np.ndarray
    cols: np.ndarray
    start: int
    stop: int


@dataclass(frozen=True)
class Batch:
    """Hyperparameter pairs for the engine (values, not logs), and where each result belongs."""

    xs: np.ndarray
    ys: np.ndarray
    parts: tuple[Part, ...]

    def __len__(self) -> int:
        return len(self.xs)


def levels(view: View, coarse_samples: int = COARSE_SAMPLES, precision: str = "f64") -> range:
    """The lattice levels a view is computed at, coarsest first.

    From the level with about coarse_samples samples across the shorter side
    of the window up to the finest, `level_for(view.pixel, precision)`
    (double-double goes deeper than float64 keeps neighbours apart).
    """
    finest = level_for(view.pixel, precision)
    short = min(view.spans)
    coarsest = math.ceil(math.log2(coarse_samples / short))
    return range(min(max(coarsest, 0), finest), finest + 1)


def plan(view: View, store: SampleStore, coarse_samples: int = COARSE_SAMPLES) -> Iterator[Work]:
    """The view's tiles that miss samples it shows, in priority order; reads the store only."""
    half = 1 << (TILE_BITS - 1)
    for level in levels(view, coarse_samples, store.precision):
        mx, my = view_maps(view, level)
        work = []
        for spot in tile_walk(level, mx, my):
            if store.is_complete(spot.key):
                continue
            tile = store.get(spot.key)
            if tile is None or np.isnan(tile[spot.rows, spot.cols]).any():
                offset = ((spot.key.tx << TILE_BITS) - mx.base - (mx.count - 1) / 2.0,
                          (spot.key.ty << TILE_BITS) - my.base - (my.count - 1) / 2.0)
                distance = math.hypot(offset[0] + half, offset[1] + half)
                work.append((distance, spot.key, Work(spot.key, spot.rows, spot.cols, offset)))
        work.sort(key=lambda item: item[:2])
        yield from (item[2] for item in work)


def near_boundary(tile: np.ndarray, reach: int = BOUNDARY_REACH) -> np.ndarray:
    """Samples of a tile within `reach` samples (a square) of known samples of both signs."""
    size = 2 * reach + 1
    near = []
    for sign in (tile > 0, tile < 0):
        windows = sliding_window_view(np.pad(sign, reach), (size, size))
        near.append(windows.any(axis=(2, 3)))
    return near[0] & near[1]


def next_batch(view: View, store: SampleStore, budget: int,
               coarse_samples: int = COARSE_SAMPLES, boundary_first: bool = True) -> Batch | None:
    """Up to `budget` missing samples of the view, in priority order; None when it is complete.

    Opening a tile fills it first with the samples coarser tiles already hold,
    so those are never handed out again. A batch holds one level only: a
    finer tile could not yet inherit the samples still in flight.
    boundary_first=False gives the order without it (nearest the centre
    only), which `bench --explore` measures against. A double-double
    store's batch carries DD_PAIRS arrays (lattice.axis_values_dd).
    """
    values = axis_values_dd if store.precision == "dd" else axis_values
    works: list[Work] = []
    for work in plan(view, store, coarse_samples):
        if works and work.key.level != works[0].key.level:
            break
        works.append(work)
    parts: list[Part] = []
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    taken = 0
    near: dict[TileKey, np.ndarray] = {}
    for near_pass in ((True, False) if boundary_first else (None,)):
        for work in works:
            level, tx, ty = work.key
            tile = store.open(work.key)
            wanted = np.isnan(tile[work.rows, work.cols])
            if near_pass is not None:
                if work.key not in near:
                    near[work.key] = near_boundary(tile)[work.rows, work.cols]
                wanted &= near[work.key] if near_pass else ~near[work.key]
            r, c = np.nonzero(wanted)
            if r.size == 0:
                continue
            r = r + work.rows.start
            c = c + work.cols.start
            order = np.argsort(np.hypot(work.offset[0] + c, work.offset[1] + r), kind="stable")[:budget - taken]
            r, c = r[order], c[order]
            parts.append(Part(work.key, r, c, taken, taken + r.size))
            xs.append(values(level, tx)[c])
            ys.append(values(level, ty)[r])
            taken += r.size
            if taken >= budget:
                return Batch(np.concatenate(xs), np.concatenate(ys), tuple(parts))
    if not parts:
        return None
    return Batch(np.concatenate(xs), np.concatenate(ys), tuple(parts))


def deliver(store: SampleStore, batch: Batch, measures: np.ndarray) -> None:
    """Put the engine's measures for a batch into the store.

    A NaN measure is refused: the store reads NaN as "not computed", so the
    sample would be asked for again and again.
    """
    measures = np.asarray(measures, dtype=np.float64)
    if measures.shape != (len(batch),):
        raise ValueError(f"expected {len(batch)} measures, got shape {measures.shape}")
    if np.isnan(measures).any():
        raise ValueError("the engine returned a NaN measure")
    for part in batch.parts:
        store.write(part.key, part.rows, part.cols, measures[part.start:part.stop])


@dataclass
class BatchSizer:
    """How many samples to hand the engine next, so that a batch takes about `seconds`.

    Follows the measured throughput, growing at most 2x per batch (the first
    batch may include a compile and look slow).
    """

    seconds: float = 0.25
    size: int = 256
    lo: int = 16
    hi: int = 1 << 16

    def record(self, samples: int, elapsed: float) -> None:
        """Account for a batch of `samples` that took `elapsed` seconds."""
        target = samples / max(elapsed, 1e-9) * self.seconds
        self.size = int(min(max(min(target, 2 * self.size), self.lo), self.hi))
