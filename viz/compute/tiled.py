"""Images computed on a Dask cluster, one task per tile, each finished tile kept in a Zarr store.

Only the tiles a store lacks are sent, so a rerun after Ctrl-C, a killed
client or a lost worker computes just the rest. A worker lost mid-tile is
Dask's to retry elsewhere; tiles are pure functions of (problem, hyperparameter
values), so a retried or duplicated tile writes the same bytes. The tiles of
every image asked for go out together, under one progress bar over pixels
fed as tiles complete.

What travels: each image's grid (its axes) is scattered to the workers once,
and a task names only its tile. Where the workers write the store, a task
returns a TileReceipt (no values) and the client reads the store once at the
end, so a tile's values cross the network once; without a store, or where
the client writes it, the values come back with the task instead.
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
    """One image to compute: its grid, and the Zarr store that keeps its finished tiles (None: keep nothing).

    `role` is what a store made here is for (zarr_store.ROLES): the render's result, or resume state only.
    """

    grid: ImageGrid
    store: str | Path | None = None
    role: str = "resume"


@dataclass(frozen=True)
class TileReceipt:
    """What a worker that wrote its tile into the store reports: which tile, and its compute seconds."""

    tile: Tile
    seconds: float


@dataclass
class TileCount:
    """How many tiles the images had, and how many this call computed."""

    total: int = 0
    computed: int = 0

    @property
    def on_disk(self) -> int:
        return self.total - self.computed


def tile_task(grid: ImageGrid, store: str | None, tile: Tile) -> TileResult | TileReceipt:
    """Inside a worker: measure one tile of the (scattered) grid; given a store path, write it there and
    report a receipt, else report the values."""
    rows, cols = tile.slices
    result = timed_tile(grid.problem, grid.xs[cols], grid.ys[rows])
    if store is None:
        return result
    TileStore.attach(store, grid).write(tile, result.values)
    return TileReceipt(tile, result.seconds)


def compute_on_cluster(client, images: Sequence[TiledImage], progress: bool = True, label: str = "",
                       writer: str = "workers", on_tile: Callable[[Tile, TileResult | TileReceipt], None] | None = None,
                       count: TileCount | None = None) -> list[np.ndarray]:
    """The float64 measure images (rows x cols, row 0 = bottom), their missing tiles computed on `client`.

    `on_tile(tile, result)` is called for each tile this call computed (a
    TileResult, or a TileReceipt where the workers wrote the store: both
    carry `.seconds`); `count`, if given, is filled in as tiles finish (so it
    is right after Ctrl-C too). Problems are taken as validated: the caller
    checks its spec once, where it is built.
    """
    from distributed import as_completed
    from tqdm import tqdm

    if writer not in WRITERS:
        raise UsageError(f"writer must be one of {', '.join(WRITERS)}, got {writer!r}")
    count = TileCount() if count is None else count
    outputs, targets, todo, tokens = [], [], [], []
    for k, image in enumerate(images):
        target = None if image.store is None else TileStore.open(image.store, image.grid, image.role)
        outputs.append(np.full((image.grid.rows, image.grid.cols), np.nan) if target is None else None)
        missing = image.grid.tiles() if target is None else target.missing(image.grid.tiles())
        path = str(Path(image.store).resolve()) if target is not None and writer == "workers" else None
        targets.append(target)
        tokens.append(_token(image.grid, path))
        todo += [(k, t, path) for t in missing]
        count.total += len(image.grid.tiles())
    # A shuffled order makes the bar's rate representative: slow pixels cluster in an image.
    random.Random(0).shuffle(todo)
    pixels = sum(i.grid.rows * i.grid.cols for i in images)
    initial = pixels - sum(t.pixels for _, t, _ in todo)
    desc = f"{label} ({len(todo)}/{count.total} tiles)".strip()
    # Each grid goes to every worker once; a task then carries only its tile.
    grids = {k: client.scatter(images[k].grid, broadcast=True, hash=False) for k in sorted({k for k, _, _ in todo})}
    futures = {}
    with tqdm(total=pixels, initial=initial, unit="px", desc=desc, disable=not progress, smoothing=0.1) as bar:
        try:
            for k, t, path in todo:
                key = f"nnfractal-tile-{tokens[k]}-{t.i}-{t.j}"
                futures[client.submit(tile_task, grids[k], path, t, key=key)] = (k, t)
            for future in as_completed(list(futures)):
                k, t = futures.pop(future)
                result = _result(future, t)
                if targets[k] is None:
                    outputs[k][t.slices] = result.values
                elif writer == "client":
                    targets[k].write(t, result.values)
                count.computed += 1
                bar.update(t.pixels)
                if on_tile is not None:
                    on_tile(t, result)
        finally:
            if futures:
                client.cancel(list(futures))
    return [target.read() if target is not None else output for target, output in zip(targets, outputs)]


def _result(future, tile: Tile) -> TileResult | TileReceipt:
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
