"""Images computed on a Dask cluster, one task per tile, each finished tile kept in a Zarr store.

Only the tiles a store lacks are sent, so a rerun after Ctrl-C, a killed
client or a lost worker computes just the rest. A worker lost mid-tile is
Dask's to retry elsewhere; tiles are pure functions of (problem, hyperparameter
values), so a retried or duplicated tile writes the same bytes. The tiles of
every image asked for go out together, under one progress bar over pixels
fed as tiles complete.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from viz.compute.tiles import Tile, TileResult, timed_tile
from viz.compute.zarr_store import ImageGrid, TileStore
from viz.errors import UsageError

#: Who writes a finished tile into the store: the worker (the store must be on a filesystem it shares) or the client.
WRITERS = ("workers", "client")


@dataclass(frozen=True)
class TiledImage:
    """One image to compute: its grid, and the Zarr store that keeps its finished tiles (None: keep nothing)."""

    grid: ImageGrid
    store: str | Path | None = None


@dataclass
class TileCount:
    """How many tiles the images had, and how many this call computed."""

    total: int = 0
    computed: int = 0

    @property
    def on_disk(self) -> int:
        return self.total - self.computed


def tile_task(grid: ImageGrid, xs: np.ndarray, ys: np.ndarray, store: str | None, tile: Tile) -> TileResult:
    """Inside a worker: measure one tile and, given a store path, write it there before reporting it."""
    result = timed_tile(grid.problem, xs, ys)
    if store is not None:
        TileStore.attach(store, grid).write(tile, result.values)
    return result


def compute_on_cluster(client, images: Sequence[TiledImage], progress: bool = True, label: str = "",
                       writer: str = "workers", on_tile: Callable[[Tile, TileResult], None] | None = None,
                       count: TileCount | None = None) -> list[np.ndarray]:
    """The float64 measure images (rows x cols, row 0 = bottom), their missing tiles computed on `client`.

    `on_tile` is called for each tile this call computed; `count`, if
    given, is filled in as tiles finish (so it is right after Ctrl-C too).
    """
    from distributed import as_completed
    from tqdm import tqdm

    if writer not in WRITERS:
        raise UsageError(f"writer must be one of {', '.join(WRITERS)}, got {writer!r}")
    count = TileCount() if count is None else count
    outputs, targets, todo = [], [], []
    for k, image in enumerate(images):
        image.grid.problem.validate()
        target = None if image.store is None else TileStore.open(image.store, image.grid)
        outputs.append(np.full((image.grid.rows, image.grid.cols), np.nan) if target is None else target.read())
        missing = image.grid.tiles() if target is None else target.missing(image.grid.tiles())
        path = str(Path(image.store).resolve()) if target is not None and writer == "workers" else None
        targets.append(target)
        todo += [(k, t, path) for t in missing]
        count.total += len(image.grid.tiles())
    # A shuffled order makes the bar's rate representative: slow pixels cluster in an image.
    random.Random(0).shuffle(todo)
    pixels = sum(i.grid.rows * i.grid.cols for i in images)
    initial = pixels - sum(t.pixels for _, t, _ in todo)
    desc = f"{label} ({len(todo)}/{count.total} tiles)".strip()
    futures = {}
    with tqdm(total=pixels, initial=initial, unit="px", desc=desc, disable=not progress, smoothing=0.1) as bar:
        try:
            for k, t, path in todo:
                grid = images[k].grid
                rows, cols = t.slices
                key = f"nnfractal-tile-{_token(grid, path)}-{t.i}-{t.j}"
                futures[client.submit(tile_task, grid, grid.xs[cols], grid.ys[rows], path, t, key=key)] = (k, t)
            for future in as_completed(list(futures)):
                k, t = futures.pop(future)
                result = _result(future, t)
                if targets[k] is not None and writer == "client":
                    targets[k].write(t, result.values)
                outputs[k][t.slices] = result.values
                count.computed += 1
                bar.update(t.pixels)
                if on_tile is not None:
                    on_tile(t, result)
        finally:
            if futures:
                client.cancel(list(futures))
    return outputs


def _result(future, tile: Tile) -> TileResult:
    """A finished tile's result; a worker that died on every try is one line."""
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker:
        raise UsageError(f"tile {tile.i},{tile.j}: its worker died on every try (Dask's allowed-failures); "
                         "see the workers' logs") from None


def _token(grid: ImageGrid, path: str | None) -> str:
    """A key part naming the image and its store, so that equal tiles of one image share a key (Dask runs them once)."""
    from dask.base import tokenize

    return tokenize(grid.as_metadata(), path)
