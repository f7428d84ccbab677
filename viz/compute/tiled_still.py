"""A still computed on a Dask cluster, one task per tile, each finished tile kept in a Zarr store.

Only the tiles the store lacks are sent, so a rerun after Ctrl-C, a killed
client or a lost worker computes just the rest. A worker lost mid-tile is
Dask's to retry elsewhere; tiles are pure functions of (problem,
coordinates), so a retried or duplicated tile writes the same bytes. One
progress bar over pixels is fed as tiles complete.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import numpy as np

from viz.compute.tiles import Tile, TileResult, timed_tile
from viz.compute.zarr_store import StillGrid, TileStore
from viz.errors import UsageError

#: Who writes a finished tile into the store: the worker (the store must be on a filesystem it shares) or the client.
WRITERS = ("workers", "client")


def still_axes(grid: StillGrid) -> tuple[np.ndarray, np.ndarray]:
    """Pixel values along x (columns) and y (rows, row 0 = bottom): 10**linspace, both ends included, as a still's."""
    x0, x1, y0, y1 = grid.window
    return 10.0 ** np.linspace(x0, x1, grid.cols), 10.0 ** np.linspace(y0, y1, grid.rows)


def tile_task(grid: StillGrid, xs: np.ndarray, ys: np.ndarray, store: str | None, tile: Tile) -> TileResult:
    """Inside a worker: measure one tile and, given a store path, write it there before reporting it."""
    result = timed_tile(grid.problem, xs, ys)
    if store is not None:
        TileStore.attach(store, grid).write(tile, result.values)
    return result


def compute_still_on_cluster(client, grid: StillGrid, store: str | Path | None = None, progress: bool = True,
                             writer: str = "workers",
                             on_tile: Callable[[Tile, TileResult], None] | None = None) -> np.ndarray:
    """The float64 measure image (rows x cols, row 0 = bottom) of a still, its missing tiles computed on `client`.

    `store` (a Zarr path; None keeps nothing) holds finished tiles across
    runs; `on_tile` is called for each tile computed by this call.
    """
    from distributed import as_completed
    from tqdm import tqdm

    if writer not in WRITERS:
        raise UsageError(f"writer must be one of {', '.join(WRITERS)}, got {writer!r}")
    grid.problem.validate()
    xs, ys = still_axes(grid)
    tiles = grid.tiles()
    if store is None:
        image = np.full((grid.rows, grid.cols), np.nan)
        todo, target, path = tiles, None, None
    else:
        target = TileStore.open(store, grid)
        image = target.read()
        todo = target.missing(tiles)
        path = str(Path(store).resolve()) if writer == "workers" else None
    # A shuffled order makes the bar's rate representative: slow pixels cluster in an image.
    todo = list(todo)
    random.Random(0).shuffle(todo)
    done_px = grid.rows * grid.cols - sum(t.pixels for t in todo)
    p = grid.problem
    label = f"{p.condition} n={p.width} T={p.steps} {grid.cols}x{grid.rows} ({len(todo)}/{len(tiles)} tiles)"
    futures = {}
    with tqdm(total=grid.rows * grid.cols, initial=done_px, unit="px", desc=label, disable=not progress,
              smoothing=0.1) as bar:
        try:
            for t in todo:
                rows, cols = t.slices
                key = f"nnfractal-tile-{_token(grid, path)}-{t.i}-{t.j}"
                futures[client.submit(tile_task, grid, xs[cols], ys[rows], path, t, key=key)] = t
            for future in as_completed(list(futures)):
                t = futures.pop(future)
                result = _result(future, t)
                if target is not None and path is None:
                    target.write(t, result.values)
                image[t.slices] = result.values
                bar.update(t.pixels)
                if on_tile is not None:
                    on_tile(t, result)
        finally:
            if futures:
                client.cancel(list(futures))
    return image


def _result(future, tile: Tile) -> TileResult:
    """A finished tile's result; a worker that died on every try is one line."""
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker:
        raise UsageError(f"tile {tile.i},{tile.j}: its worker died on every try (Dask's allowed-failures); "
                         "see the workers' logs") from None


def _token(grid: StillGrid, path: str | None) -> str:
    """A key part naming the still and its store, so that equal tiles of one still share a key (Dask runs them once)."""
    from dask.base import tokenize

    return tokenize(grid.as_metadata(), path)
